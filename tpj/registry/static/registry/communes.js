/* Commune autocomplete for any input marked data-commune-autocomplete: fills its
   <datalist> from the shared /territoires/communes/ fragment (CSP-friendly, no eval). */
(function () {
  "use strict";
  var timer = null;
  document.querySelectorAll("[data-commune-autocomplete]").forEach(function (input) {
    input.addEventListener("input", function () {
      var list = document.getElementById(input.getAttribute("list"));
      var query = input.value.trim();
      window.clearTimeout(timer);
      if (!list || query.length < 2 || /^\d[\dAB]\d{3}$/.test(query)) { return; }
      timer = window.setTimeout(function () {
        fetch(input.getAttribute("data-commune-autocomplete") + "?q=" + encodeURIComponent(query))
          .then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (html) { list.innerHTML = html; });
      }, 250);
    });
  });
})();
