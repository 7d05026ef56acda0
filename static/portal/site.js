// Every page's small helper: a control marked data-autosubmit (the language switch, the
// dashboards' period chips) submits its form when changed. Without it a button does the same.
document.addEventListener("change", function (event) {
  var control = event.target;
  if (!control.matches || !control.matches("[data-autosubmit]") || !control.form) return;
  if (control.form.requestSubmit) control.form.requestSubmit();
  else control.form.submit();
});
