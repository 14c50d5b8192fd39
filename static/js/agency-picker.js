/* The agency picker (agencies/forms.py AgencySelect): every <select data-agency-picker> becomes a searchable,
   keyboard-friendly list with Tom Select (static/vendor/tom-select/). Type part of a name, its category, 分野 or
   ward, in kanji, hiragana or katakana; ↓↑ to move, Enter to choose, Backspace to take the last one off.
   Without this script the select still works as a plain grouped list. The texts come from the page (Japanese
   through gettext), so nothing here is shown in English. */
(function () {
  "use strict";

  // 「ﾊﾛｰ」「ハロー」「はろー」 all search as 「はろー」; the options' data-keywords hold the same folding.
  function fold(text) {
    return text.normalize("NFKC").replace(/[\u30a1-\u30f6]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0x60);
    });
  }

  function picker(select) {
    if (select.tomselect || typeof TomSelect === "undefined") {
      return;
    }
    var data = select.dataset;
    var plugins = {};
    if (select.multiple) {
      plugins.remove_button = { title: data.removeLabel };
    } else if (!select.required) {
      plugins.clear_button = { title: data.removeLabel };
    }
    new TomSelect(select, {
      plugins: plugins,
      placeholder: data.placeholder,
      searchField: ["text", "keywords"],
      lockOptgroupOrder: true,
      maxOptions: null,
      // The options are all on the page: filter on every key, so Enter always takes what the list shows.
      refreshThrottle: 0,
      closeAfterSelect: !select.multiple,
      score: function (query) {
        var folded = this.getScoreFunction(fold(query));
        var plain = this.getScoreFunction(query);
        return function (item) {
          return Math.max(plain(item), folded(item));
        };
      },
      render: {
        no_results: function (unused, escape) {
          return '<div class="no-results">' + escape(data.noResults) + "</div>";
        },
      },
    });
  }

  function start() {
    document.querySelectorAll("select[data-agency-picker]").forEach(picker);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
