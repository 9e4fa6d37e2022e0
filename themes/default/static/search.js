// Starts Pagefind's interface on the search page. Its settings come from the
// page (this language's bundle, the theme's strings for a language Pagefind
// has none of), so this one file serves every language.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined") return;
  var options = {
    element: "#search",
    bundlePath: box.getAttribute("data-bundle"),
    // Result URLs are site paths already (/ar/…), not relative to the bundle.
    baseUrl: "/",
    showImages: false,
    showSubResults: true
  };
  var strings = box.getAttribute("data-translations");
  if (strings) {
    try { options.translations = JSON.parse(strings); } catch (e) { /* Pagefind's English */ }
  }
  var ui = new PagefindUI(options);
  // `/ar/search/?q=word` searches at once (a link, or a browser's search).
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) ui.triggerSearch(q);
})();
