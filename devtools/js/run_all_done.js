// After Run All in JupyterLab or JupyterLite: true once no input prompt (promptSelector) shows
// a cell as queued or running ("[*]"), at least one shows an execution count, and the kernel
// reads idle. A notebook with no code cells is done at once.
(promptSelector) => {
  const prompts = Array.from(document.querySelectorAll(promptSelector)).map((p) => p.textContent);
  return prompts.length === 0
    || (prompts.every((t) => !t.includes('*')) && prompts.some((t) => /\d/.test(t)) && kernelIdle());
}
