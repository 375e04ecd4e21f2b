/* Places of action: shows the communes of the text field [data-places-field] (separated by
   commas) as DSFR tags that can be removed, and adds the commune chosen in the search's
   <datalist> (filled by registry/communes.js). The text field stays the value sent: without
   JavaScript it is typed by hand. CSP-friendly, no eval. */
(function () {
  "use strict";
  var field = document.querySelector("[data-places-field]");
  var enhanced = document.querySelector("[data-places-enhanced]");
  if (!field || !enhanced) { return; }
  var tags = enhanced.querySelector("[data-places-tags]");
  var search = enhanced.querySelector("#places-search");
  var list = document.getElementById(search.getAttribute("list"));

  function items() {
    return field.value.split(/[,;\n]+/).map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function store(values) {
    field.value = values.join(", ");
    field.dispatchEvent(new Event("change", { bubbles: true }));  // the draft's autosave
    render();
  }

  function render() {
    tags.textContent = "";
    items().forEach(function (item, index) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "fr-tag fr-tag--dismiss";
      button.textContent = item;
      button.setAttribute("aria-label", "Retirer " + item);
      button.addEventListener("click", function () {
        var values = items();
        values.splice(index, 1);
        store(values);
        search.focus();
      });
      li.appendChild(button);
      tags.appendChild(li);
    });
  }

  search.addEventListener("input", function () {
    var chosen = Array.prototype.find.call(list.options, function (o) { return o.value === search.value; });
    if (!chosen) { return; }
    var label = chosen.textContent.split(" — ")[0].trim() + " (" + chosen.value + ")";
    var values = items();
    if (values.indexOf(label) === -1 && values.indexOf(chosen.value) === -1) { values.push(label); }
    search.value = "";
    store(values);
  });
  field.addEventListener("input", render);
  enhanced.hidden = false;
  render();
})();
