/* EstateDesk's page behaviour, in one static file: the Content-Security-Policy allows no inline
   script and no inline event handler (onchange=…), so pages mark elements with data-attributes
   and this file acts on them.

   data-autosubmit      a <select> that submits its form when changed (estate, language, filters)
   data-confirm="…"     a <form> that asks before it is submitted
   data-print           a button that prints the page
   data-back            a link or button that goes back one page
   data-insert="…"      快捷用语: a phrase button inserting its text at the cursor of the last text
                        box used (or of the element named by data-target)
   #pay-form            the cashier's payment form: ticking bills fills the amount; the button
                        is disabled once submitted so a double click records one payment */
(function () {
  "use strict";

  document.addEventListener("change", function (e) {
    var select = e.target.closest && e.target.closest("select[data-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
    }
  });

  document.addEventListener("focusin", function (e) {
    if (e.target.matches && e.target.matches("textarea, input[type=text]")) {
      window.edLastText = e.target;
    }
  });

  document.addEventListener("click", function (e) {
    if (!e.target.closest) { return; }
    if (e.target.closest("[data-print]")) { e.preventDefault(); window.print(); return; }
    if (e.target.closest("[data-back]")) { e.preventDefault(); window.history.back(); return; }
    var button = e.target.closest("[data-insert]");
    if (!button) { return; }
    e.preventDefault();
    var box = document.getElementById(button.dataset.target || "") || window.edLastText;
    if (!box) { return; }
    var start = box.selectionStart == null ? box.value.length : box.selectionStart;
    var end = box.selectionEnd == null ? start : box.selectionEnd;
    var before = box.value.slice(0, start);
    var text = (before && !/\s$/.test(before) ? " " : "") + button.dataset.insert;
    box.value = before + text + box.value.slice(end);
    box.focus();
    box.selectionStart = box.selectionEnd = start + text.length;
  });

  function payForm() {
    var form = document.getElementById("pay-form");
    if (!form) { return; }
    var amount = form.querySelector("[name=amount]");
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=bills]"));
    var chosen = form.querySelector("input[name=allocation][value=chosen]");
    var oldest = form.querySelector("input[name=allocation][value=oldest]");
    if (amount && !amount.value) { amount.focus(); } else if (amount) { amount.focus(); amount.select(); }
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        var ticked = boxes.filter(function (b) { return b.checked; });
        var fen = ticked.reduce(function (s, b) { return s + Math.round(parseFloat(b.dataset.owed) * 100); }, 0);
        if (ticked.length) { chosen.checked = true; amount.value = (fen / 100).toFixed(2); }
        else { oldest.checked = true; amount.value = form.dataset.owed; }
      });
    });
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", payForm);
  } else {
    payForm();
  }
})();
