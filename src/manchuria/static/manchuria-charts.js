// Draw every Vega-Lite chart on the page with the Vega bundle shipped in the site.
// Charts follow the theme: they are redrawn when the reader switches light/dark.
(function () {
  "use strict";

  function isDark() {
    return document.documentElement.dataset.theme === "dark";
  }

  function embedOptions() {
    var options = {
      renderer: "svg",
      actions: { export: true, source: false, compiled: false, editor: false },
    };
    if (isDark()) {
      // vega-embed's dark theme recolours axes, legends and titles; text marks
      // without a colour of their own would stay black on the dark page.
      options.theme = "dark";
      options.config = { background: null, text: { color: "#e6e6e6" } };
    }
    return options;
  }

  function drawAll() {
    var figures = document.querySelectorAll(".manchuria-vega-figure");
    figures.forEach(function (figure) {
      var target = figure.querySelector(".manchuria-vega");
      var specNode = figure.querySelector("script.manchuria-vega-spec");
      if (!target || !specNode) return;
      var spec = JSON.parse(specNode.textContent);
      target.innerHTML = "";
      target.dataset.rendered = "pending";
      window
        .vegaEmbed(target, spec, embedOptions())
        .then(function (result) {
          // The drawing is one image labelled with the chart's description
          // (the table after it holds the values); the menu gets a name.
          var svg = target.querySelector("svg");
          var label = target.dataset.label;
          if (svg && label) {
            svg.setAttribute("role", "img");
            svg.setAttribute("aria-label", label);
            // An image's parts are not read out; hide Vega's per-mark roles so
            // no unlabelled part is left for assistive tools to stumble on.
            svg.querySelectorAll(":scope > g").forEach(function (group) {
              group.setAttribute("aria-hidden", "true");
            });
          }
          var menu = target.querySelector("details > summary");
          if (menu) menu.setAttribute("aria-label", "Chart menu: save as SVG or PNG");
          target.dataset.rendered = "yes";
          target.dataset.drawnFor = isDark() ? "dark" : "light";
          return result;
        })
        .catch(function (error) {
          target.dataset.rendered = "error";
          console.error("Chart could not be drawn:", error);
        });
    });
  }

  function start() {
    if (typeof window.vegaEmbed !== "function") {
      console.error("manchuria-charts.js: the Vega bundle did not load.");
      return;
    }
    drawAll();
    var lastDark = isDark();
    new MutationObserver(function () {
      if (isDark() !== lastDark) {
        lastDark = isDark();
        drawAll();
      }
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
