// MathJax 3: the arithmatex spans of the Markdown pages and docstrings (\( \) and \[ \]) and
// the $...$ / $$...$$ of the notebooks' Markdown cells and LaTeX outputs. Everything else is
// left alone, so a "$" in a code block or a shell example is never read as math.
//
// MathJax skips an element whose class matches ignoreHtmlClass, and everything inside it,
// unless its class matches processHtmlClass. "[^ ]+" matches any class but not an element
// without one: every element of the theme has a class, so the page is skipped, while the
// class-less <p>, <li> and <td> inside a notebook's Markdown cell are read. (Material's usual
// ".*|" also matches no class at all, which would skip the notebooks' paragraphs.)
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: "[^ ]+",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown|jp-RenderedLatex|jp-MarkdownOutput",
  },
};

// Typeset again after Material's instant navigation swaps the page.
if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (window.MathJax && MathJax.typesetPromise) {
      MathJax.startup.output.clearCache();
      MathJax.typesetClear();
      MathJax.texReset();
      MathJax.typesetPromise();
    }
  });
}
