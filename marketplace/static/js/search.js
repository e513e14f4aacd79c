/* Search page enhancements; the page works as plain links and forms without this file.
 *
 * 1. Autocomplete: an <input data-autocomplete data-suggest-url="…"> becomes an ARIA 1.2
 *    combobox with a listbox of suggestions fetched (debounced) from /search/suggest.
 *    Up/Down move through them, Enter searches for the highlighted one, Escape closes the list
 *    (or clears the box when it is already closed), and a click picks one.
 * 2. The filter sidebar (<details data-search-filters>) starts closed on narrow screens and is
 *    always open on wide ones.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var MIN_CHARS = 2;
  var WIDE_SCREEN = "(min-width: 900px)";

  function setUpAutocomplete(input, index) {
    var url = input.getAttribute("data-suggest-url");
    var form = input.form;
    var root = input.closest("[data-autocomplete-root]") || input.parentNode;
    if (!url || !form) {
      return;
    }

    var listId = "search-suggestions-" + index;
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    root.appendChild(list);

    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    root.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var cache = Object.create(null);
    var timer = null;
    var latest = 0; // number of the newest request: older answers are dropped
    var controller = null;
    var active = -1;

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = options();
      active = index;
      for (var i = 0; i < items.length; i += 1) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(text) {
      input.value = text;
      close();
      form.submit();
    }

    // The typed part in plain text, the rest in bold: built from text nodes, never HTML.
    function optionContent(option, text, typed) {
      var start = text.toLowerCase().indexOf(typed.toLowerCase());
      if (!typed || start !== 0) {
        option.textContent = text;
        return;
      }
      option.appendChild(document.createTextNode(text.slice(0, typed.length)));
      var rest = document.createElement("strong");
      rest.textContent = text.slice(typed.length);
      option.appendChild(rest);
    }

    function render(suggestions, typed) {
      list.textContent = "";
      active = -1;
      suggestions.forEach(function (text, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.className = "suggest-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        optionContent(option, text, typed);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the box until the click lands
        });
        option.addEventListener("click", function () {
          choose(text);
        });
        list.appendChild(option);
      });
      if (suggestions.length && document.activeElement === input) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent =
          suggestions.length +
          (suggestions.length === 1 ? " suggestion" : " suggestions") +
          ", use up and down arrows to review";
      } else {
        close();
        status.textContent = "";
      }
    }

    function fetchSuggestions() {
      var typed = input.value.trim();
      if (typed.length < MIN_CHARS) {
        render([], typed);
        return;
      }
      var key = typed.toLowerCase();
      if (cache[key]) {
        render(cache[key], typed);
        return;
      }
      latest += 1;
      var number = latest;
      if (controller) {
        controller.abort();
      }
      controller = "AbortController" in window ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(typed), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          var suggestions = Array.isArray(data.suggestions) ? data.suggestions : [];
          cache[key] = suggestions;
          if (number === latest && input.value.trim() === typed) {
            render(suggestions, typed);
          }
        })
        .catch(function () {
          /* offline or aborted: the plain form still works */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var count = options().length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!count) {
          return;
        }
        event.preventDefault();
        if (list.hidden) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        if (event.key === "ArrowDown") {
          highlight(active + 1 < count ? active + 1 : 0);
        } else {
          highlight(active - 1 >= 0 ? active - 1 : count - 1);
        }
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          choose(options()[active].textContent);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    // Leaving the page: a suggestion that arrives now would only be thrown away.
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      if (controller) {
        controller.abort();
      }
    });

    input.addEventListener("blur", function () {
      close();
    });

    input.addEventListener("focus", function () {
      if (options().length && input.value.trim().length >= MIN_CHARS) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    });
  }

  document.querySelectorAll("input[data-autocomplete]").forEach(setUpAutocomplete);

  // Filters: folded away on phones (the results come first), always open on wide screens.
  var filters = document.querySelector("details[data-search-filters]");
  if (filters && window.matchMedia) {
    var wide = window.matchMedia(WIDE_SCREEN);
    var fit = function () {
      if (wide.matches) {
        filters.setAttribute("open", "");
      } else {
        filters.removeAttribute("open");
      }
    };
    fit();
    if (wide.addEventListener) {
      wide.addEventListener("change", fit);
    }
  }
})();
