/* Listing editor: choosing a category reloads the form with that category's detail fields.
   Without JavaScript the "Show details for this category" button does the same. */
(function () {
  "use strict";

  document.querySelectorAll("select[data-refresh-on-change]").forEach(function (select) {
    var form = select.form;
    var button = form && form.querySelector("button[name='refresh'], input[name='refresh']");
    if (!button) {
      return;
    }
    select.addEventListener("change", function () {
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(button);
      } else {
        button.click();
      }
    });
  });
})();
