/* A search's filters (<details class="tpj-filters" id="filtres-repli">): shown open by the
   server (usable without JavaScript), folded behind « Filtrer (n) » on a phone or a tablet
   unless they must be corrected, and always open on a desktop, where the button is hidden.
   Loaded right after them, before the first paint. Used by the directory and the training
   search. */
(function () {
  "use strict";
  var filters = document.getElementById("filtres-repli");
  if (!filters || !window.matchMedia) { return; }
  var desktop = window.matchMedia("(min-width: 62em)");
  function fit() { filters.open = desktop.matches || filters.hasAttribute("data-keep-open"); }
  fit();
  desktop.addEventListener("change", fit);
})();
