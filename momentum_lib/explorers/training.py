"""Notebook 07's explorer: a real network retrained live on every move.

The 64-32-10 tanh network of ``momentum_lib.network`` on the digits
(``datasets.digits()``), trained from the same starting weights on the same
seeded mini-batches with momentum (PyTorch form, η and β) and, in the same
vectorised call, with plain mini-batch gradient descent at the effective learning
rate η/(1 − β). Left: the training loss (the mean of each epoch's batch losses);
right: the validation loss on the 360 held-out digits, measured at the start and
after every epoch.
"""

import numpy as np
import ipywidgets as widgets

from .. import datasets, network, noise
from .._threads import single_blas_thread
from ..drawing import METHOD_COLOURS, METHOD_LINESTYLES, TICK_SIZE
from ._base import Explorer
from ._scene import Scene, clip, divergence_message
from ._sliders import control_style

HIDDEN = 32
SEED = 0
MAX_EPOCHS = 10
BATCH_SIZES = (16, 32, 64, 128)
LOSS_LIM = (0.02, 1e3)
METHODS = ("sgd", "momentum")     # row 0: gradient descent at η/(1−β); row 1: momentum
MARKERS = {"sgd": "s", "momentum": "o"}


def train_pair(data, params0, lr, beta, batch_size, epochs, seed=SEED):
    """Gradient descent at η/(1−β) (row 0) and momentum at (η, β) (row 1), same batches."""
    batches = network.epoch_batches(len(data.y_train), batch_size, epochs, seed)
    eff = float(noise.effective_lr(lr, beta))
    return network.train(params0, data.x_train, data.y_train, batches,
                         lr=np.array([eff, lr]), beta=np.array([0.0, beta]),
                         x_val=data.x_val, y_val=data.y_val)


def epoch_means(batch_loss, steps_per_epoch):
    """The mean batch loss of each epoch: (epochs, *S)."""
    e = len(batch_loss) // steps_per_epoch
    return batch_loss[:e * steps_per_epoch].reshape(e, steps_per_epoch, *batch_loss.shape[1:]).mean(axis=1)


class TrainingExplorer(Explorer):
    """β, η, batch size and epochs: train the digits network live, momentum beside η/(1−β)."""

    name = "training"
    title = "Training a real network: momentum (η, β) beside gradient descent at η/(1−β)"
    drawn = ("The training loss (left) and validation loss (right) of a small network on the digits "
             "against the epoch, for momentum and for gradient descent at η/(1−β)")
    defaults = {"beta": 0.9, "lr": 0.05, "batch_size": 32, "epochs": 5}
    lr_range = (1e-3, 3.0)
    lr_label = "η (PyTorch form)"
    figsize = (11.0, 4.6)

    def __init__(self, **values):
        self._data = datasets.digits()
        self._params0 = network.init_mlp(64, HIDDEN, 10, seed=SEED)
        super().__init__(**values)

    def extra_controls(self):
        return {
            "batch_size": widgets.Dropdown(options=list(BATCH_SIZES), value=self.defaults["batch_size"],
                                           description="batch size", **control_style()),
            "epochs": widgets.IntSlider(value=self.defaults["epochs"], min=1, max=MAX_EPOCHS,
                                        description="epochs", continuous_update=True, **control_style()),
        }

    def compute(self, values):
        with single_blas_thread():      # tiny products: threads cost more than they give
            return train_pair(self._data, self._params0, values["lr"], values["beta"],
                              values["batch_size"], values["epochs"])

    def summary(self, result, values):
        per = len(self._data.y_train) // values["batch_size"]
        bad = np.isnan(result.batch_loss)
        first = [int(np.argmax(bad[:, m])) + 1 if bad[:, m].any() else -1 for m in (0, 1)]
        acc = network.accuracy(result.params, self._data.x_val, self._data.y_val)
        return {
            # the first divergence of either run (-1: none), as the other explorers report it
            "diverged_at": min([k for k in first if k >= 0], default=-1),
            "momentum_diverged_at": first[1], "sgd_diverged_at": first[0],
            "steps": int(len(result.batch_loss)), "steps_per_epoch": per,
            "effective_lr": float(noise.effective_lr(values["lr"], values["beta"])),
            "val_loss": result.val_loss[-1].tolist(),
            "val_accuracy": np.where(result.diverged, np.nan, acc).tolist(),
        }

    def message(self, summary, values):
        return divergence_message(summary["sgd_diverged_at"], summary["momentum_diverged_at"]).replace(
            "gradient descent", "gradient descent at η/(1−β)").replace("at step", "at training step")

    def status(self, summary, values):
        def res(m):
            if np.isnan(summary["val_loss"][m]):
                return "diverged"
            return f"{summary['val_loss'][m]:.3f} ({100 * summary['val_accuracy'][m]:.1f}% right)"

        return (f"{summary['steps']} steps ({values['epochs']} epochs of {summary['steps_per_epoch']} batches)"
                f" · η/(1−β) = {summary['effective_lr']:.3g} · validation loss: momentum {res(1)},"
                f" gradient descent at η/(1−β) {res(0)}")

    def static_key(self, result, values):
        return values["epochs"]

    def build(self, fig, values):
        scene = Scene(fig)
        tx, vx = scene.train_ax, scene.val_ax = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        labels = {"sgd": "gradient descent at η/(1−β)", "momentum": "momentum (η, β)"}
        for ax, title in ((tx, "training loss (mean of each epoch)"),
                          (vx, f"validation loss ({len(self._data.y_val)} held-out digits)")):
            ax.set(yscale="log", ylim=LOSS_LIM, xlabel="epoch", ylabel="cross-entropy", title=title)
        scene.train = {m: scene.animated(tx.plot([], [], color=METHOD_COLOURS[m], ls=METHOD_LINESTYLES[m],
                                                 marker=MARKERS[m], label=labels[m])[0]) for m in METHODS}
        scene.val = {m: scene.animated(vx.plot([], [], color=METHOD_COLOURS[m], ls=METHOD_LINESTYLES[m],
                                               marker=MARKERS[m], label=labels[m])[0]) for m in METHODS}
        tx.legend(loc="center right", fontsize=TICK_SIZE - 1, framealpha=0.9)
        fig.suptitle(self.title, fontsize=15)
        return scene

    def restyle(self, scene, epochs):
        for ax in (scene.train_ax, scene.val_ax):
            ax.set_xlim(0, epochs + 0.2)

    def update(self, scene, result, values):
        per = len(self._data.y_train) // values["batch_size"]
        means = epoch_means(result.batch_loss, per)
        epochs = np.arange(1, len(means) + 1)
        for m, method in enumerate(METHODS):
            scene.train[method].set_data(epochs, clip(means[:, m], *LOSS_LIM, margin=0.0))
            scene.val[method].set_data(result.eval_steps / per, clip(result.val_loss[:, m], *LOSS_LIM, margin=0.0))
