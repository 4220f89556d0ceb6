"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) { return; }
  var source = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("data-status"));
  if (!source || !status) { return; }
  var text = source.textContent;
  function selectText() {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    status.textContent = "Selected: press Ctrl+C (or \u2318C) to copy";
  }
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(function () {
      status.textContent = "Copied to the clipboard";
    }, selectText);
  } else {
    selectText();
  }
});
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (item) { item.open = true; });
});
