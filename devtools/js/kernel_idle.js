// True while the kernel reads idle in the status bar (kernelIdle in common.js).
() => kernelIdle()
