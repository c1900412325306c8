// The console's only script, served from the package (the CSP allows no inline script).
// Asks before the actions that change what gets alerted.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  const action = form.getAttribute("action") || "";
  if (action.endsWith("/expire") && !window.confirm("End this silence now?")) {
    event.preventDefault();
  }
});
