/* Registration form helpers: pre-tick a category's suggested priorities (never untick,
   never force), and ignore a second click on a submit button. */
(function () {
  "use strict";
  var box = document.getElementById("priorites");
  var category = document.getElementById("id_fiche-category");
  if (box && category) {
    var suggestions = JSON.parse(box.getAttribute("data-suggestions") || "{}");
    var touched = false;
    box.addEventListener("change", function () { touched = true; });
    category.addEventListener("change", function () {
      if (touched) { return; }
      (suggestions[category.value] || []).forEach(function (number) {
        var checkbox = document.getElementById("id_priorites-p" + number);
        if (checkbox) { checkbox.checked = true; }
      });
    });
  }
  document.querySelectorAll("form.registry-once").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
})();
