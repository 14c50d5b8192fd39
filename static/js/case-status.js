/* The case status form (templates/cases/case_detail.html): the reason box appears only once an action that
   needs a reason (終結・中断・再開) is chosen, labelled for that action, and is then required. Without this
   script the box is always shown and the server asks for the reason. Every text comes from the page. */
(function () {
  "use strict";

  function follow(form) {
    var box = form.querySelector("[data-reason-box]");
    var chosen = form.querySelector("input[name=action]:checked");
    var label = chosen ? chosen.getAttribute("data-reason-label") : null;
    box.hidden = !label;
    box.querySelector("textarea").required = Boolean(label);
    if (label) {
      box.querySelector("label").textContent = label + "（" + form.getAttribute("data-required-mark") + "）";
    }
  }

  document.querySelectorAll("form[data-case-status]").forEach(function (form) {
    follow(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === "action") {
        follow(form);
        var box = form.querySelector("[data-reason-box]");
        if (!box.hidden) {
          box.querySelector("textarea").focus();
        }
      }
    });
  });
})();
