// Choosing an answer template puts its text (already filled in for this case) in the note.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches || !select.matches("select[data-fills]")) return;
  var option = select.options[select.selectedIndex];
  var text = option && option.getAttribute("data-text");
  var note = select.form && select.form.querySelector(
    '[name$="' + select.getAttribute("data-fills") + '"]'
  );
  if (text && note) {
    note.value = text;
    note.focus();
  }
});
