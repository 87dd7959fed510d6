// The pupils' loopbaandossier page: a print button where printing works.
// The answers are never sent anywhere: this page has no form to submit.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-sheet");
  if (!button || typeof window.print !== "function") return;
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
