// Irreversible actions (templates/core/_confirm_modal.html): while the DSFR's JavaScript
// runs, the action's button opens its confirmation modal (the DSFR does it) instead of
// posting the form; without JavaScript it posts, and the server asks on a page of its own.
if (!window.tpjConfirm) {
  window.tpjConfirm = true;
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("button[data-tpj-confirm]");
    if (opener && window.dsfr && document.getElementById(opener.getAttribute("aria-controls"))) {
      event.preventDefault();
    }
  });
}
