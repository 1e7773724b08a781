// Runs before first paint (a classic, blocking script in <head>): with JavaScript only the selected
// tab shows, so the page never flashes every panel. A file, not an inline script: the page's
// Content-Security-Policy allows only our own scripts.
document.documentElement.classList.add("js");
