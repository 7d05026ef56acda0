// "Send a new code" waits out the resend interval (data-wait, seconds) before it can be pressed.
(function () {
  "use strict";
  var b = document.querySelector("[data-wait]");
  if (!b) return;
  var left = parseInt(b.dataset.wait, 10) || 0, label = b.textContent;
  function tick() {
    if (left > 0) { b.disabled = true; b.textContent = label + " (" + left + "s)"; left -= 1; setTimeout(tick, 1000); }
    else { b.disabled = false; b.textContent = label; }
  }
  tick();
})();
