// Bring the book's charts to life when a reader reaches for them.
// Every chart arrives as an SVG drawn at build time (manchuria.sphinx.charts), so it is
// there at first paint and with JavaScript off. This script, deferred, loads the Vega
// bundle only when it earns its bytes: on the first pointer, focus or touch on a chart
// (for tooltips), and, on pages with explorers, when the browser is idle (or at once on
// "Turn on the controls"). Then each chart is redrawn live in the same place.
// Explorers (charts whose spec carries usermeta.manchuria.explorer) also get their
// controls above the chart, a line saying how many rows are shown (or that none
// is), their state in the page's address (Back and Forward step through it), and
// a "Copy link to this view" button.
// Class names and states: manchuria/sphinx/chartdom.py.
(function () {
  "use strict";

  var PUSH_DELAY_MS = 600; // one history entry per pause, not one per slider step
  var DAY_MS = 86400000;
  var PAGE_STEP_DAYS = 30;
  var explorers = [];
  var applyingAddress = false;
  var pushTimer = null;

  var FIGURE = ".manchuria-vega-figure";
  var BUNDLE_URL = new URL("manchuria/vega-embed-bundle.js", document.currentScript.src).href;
  var IDLE_TIMEOUT_MS = 4000;
  var loading = null;

  function isDark() {
    return document.documentElement.dataset.theme === "dark";
  }

  // The build's drawing config (colours as currentColor, no backdrop) travels with each
  // spec, so the live chart looks like the drawing and follows the theme without a redraw.
  function embedOptions(config) {
    return {
      renderer: "svg",
      config: config || {},
      tooltip: { theme: isDark() ? "dark" : "light" },
      actions: { export: true, source: false, compiled: false, editor: false },
    };
  }

  function loadVega() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = BUNDLE_URL;
        script.onload = resolve;
        script.onerror = function () { reject(new Error("the Vega bundle did not load: " + BUNDLE_URL)); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  var going = null;
  // Loads Vega and draws every chart live; every call returns the same promise, so a
  // "Turn on the controls" pressed while the charts are coming waits for them.
  function goLive() {
    if (!going) {
      going = loadVega().then(drawAll, function (error) {
        console.error("manchuria-charts.js:", error.message);
        controlsFailed(null);
      });
    }
    return going;
  }

  // --- Explorers: what is shown ------------------------------------------------------

  // The ids of the data rows drawn by the chart's marks: what the reader sees,
  // read from Vega's scenegraph (axes and legends carry no row id).
  function shownIds(view) {
    var ids = new Set();
    (function walk(node) {
      if (!node || !node.items) return;
      node.items.forEach(function (item) {
        if (node.role === "mark" && item.datum && item.datum.id !== undefined) ids.add(item.datum.id);
        walk(item);
      });
    })(view.scenegraph().root);
    return Array.from(ids);
  }

  function isoDay(origin, offset) {
    return new Date(Date.parse(origin + "T00:00:00Z") + offset * DAY_MS).toISOString().slice(0, 10);
  }

  function dayOffset(origin, iso) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return NaN;
    return Math.round((Date.parse(iso + "T00:00:00Z") - Date.parse(origin + "T00:00:00Z")) / DAY_MS);
  }

  function readableDay(origin, offset) {
    return new Date(Date.parse(origin + "T00:00:00Z") + offset * DAY_MS).toLocaleDateString("en-GB", {
      day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
    });
  }

  // A parameter's value as the address writes it, and back (null: not valid, with why).
  function toAddress(explorer, param, value) {
    var origin = explorer.meta.dates[param.name];
    return origin ? isoDay(origin, value) : String(value);
  }

  function fromAddress(explorer, param, text) {
    var bind = param.bind;
    var origin = explorer.meta.dates[param.name];
    if (bind.input === "select" || bind.input === "radio") {
      var match = bind.options.filter(function (option) { return String(option) === text; });
      return match.length ? { value: match[0] } : { why: "expected one of " + bind.options.join(", ") };
    }
    if (bind.input === "range") {
      var number = origin ? dayOffset(origin, text) : Number(text);
      var low = bind.min, high = bind.max;
      if (Number.isInteger(number) && number >= low && number <= high) return { value: number };
      return {
        why: origin
          ? "expected a day from " + isoDay(origin, low) + " to " + isoDay(origin, high)
          : "expected a whole number from " + low + " to " + high,
      };
    }
    return { value: text.slice(0, 200) };
  }

  function addressState(explorer) {
    var query = new URLSearchParams(window.location.search);
    var state = {};
    var problems = [];
    explorer.params.forEach(function (param) {
      var key = explorer.meta.slug + "." + param.name;
      if (!query.has(key)) return;
      var parsed = fromAddress(explorer, param, query.get(key));
      if ("value" in parsed) state[param.name] = parsed.value;
      else problems.push("The address gives " + key + "=\u201c" + query.get(key) + "\u201d: " + parsed.why + ", so the default is shown.");
    });
    return { state: state, problems: problems };
  }

  function currentState(explorer) {
    var state = {};
    explorer.params.forEach(function (param) {
      state[param.name] = explorer.view.signal(param.name);
    });
    return state;
  }

  // This explorer's changed parameters, as query entries.
  function queryEntries(explorer) {
    var entries = [];
    if (!explorer.view) return entries;
    explorer.params.forEach(function (param) {
      var value = explorer.view.signal(param.name);
      if (value !== param.value && String(value) !== "") {
        entries.push([explorer.meta.slug + "." + param.name, toAddress(explorer, param, value)]);
      }
    });
    return entries;
  }

  function pageAddress(entriesList, hash) {
    var query = new URLSearchParams();
    entriesList.forEach(function (entries) {
      entries.forEach(function (entry) { query.append(entry[0], entry[1]); });
    });
    var search = query.toString();
    return window.location.pathname + (search ? "?" + search : "") + (hash === undefined ? window.location.hash : hash);
  }

  function pushAddress() {
    var address = pageAddress(explorers.map(queryEntries));
    if (address !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.pushState({ manchuriaExplorers: true }, "", address);
    }
  }

  function schedulePush() {
    if (applyingAddress) return;
    window.clearTimeout(pushTimer);
    pushTimer = window.setTimeout(pushAddress, PUSH_DELAY_MS);
  }

  // --- Explorers: the controls, the status line and the link --------------------------

  // The panel is drawn as soon as the script runs, before Vega or the spec has loaded: until
  // the controls are live, their place holds a button that loads them now.
  function explorerPanel(figure) {
    var existing = explorers.filter(function (explorer) { return explorer.figure === figure; })[0];
    if (existing) return existing;
    var panel = document.createElement("div");
    panel.className = "manchuria-explorer-panel";
    var bindings = document.createElement("div");
    bindings.className = "manchuria-explorer-controls";
    bindings.setAttribute("role", "group");
    bindings.setAttribute("aria-label", "Controls for this explorer");
    var status = document.createElement("p");
    status.className = "manchuria-explorer-status";
    status.setAttribute("role", "status");
    var link = document.createElement("button");
    link.type = "button";
    link.className = "manchuria-explorer-link";
    link.textContent = "Copy link to this view";
    var copied = document.createElement("input");
    copied.type = "text";
    copied.readOnly = true;
    copied.hidden = true;
    copied.className = "manchuria-explorer-address";
    copied.setAttribute("aria-label", "Link to this view");
    var turnOn = document.createElement("button");
    turnOn.type = "button";
    turnOn.className = "manchuria-explorer-turn-on";
    turnOn.textContent = "Turn on the controls";
    turnOn.addEventListener("click", function () {
      status.textContent = "Loading the controls\u2026";
      goLive().then(function () {
        var first = bindings.querySelector("input, select");
        if (first) first.focus();
      });
    });
    bindings.append(turnOn);
    status.textContent = "This is the explorer's starting view; its controls load in a moment.";
    link.hidden = true;
    var waiting = figure.querySelector(".manchuria-explorer-waiting");
    if (waiting) waiting.hidden = true;
    panel.append(bindings, status, link, copied);
    figure.insertBefore(panel, figure.querySelector(".manchuria-vega"));
    var explorer = {
      figure: figure, meta: null, bindings: bindings, status: status, link: link, copied: copied,
      params: [], view: null, state: null, problems: [],
    };
    link.addEventListener("click", function () { copyLink(explorer); });
    explorers.push(explorer);
    return explorer;
  }

  // The explorer of a figure whose spec has loaded (null for a chart that is not one).
  function explorerFor(figure, spec) {
    var meta = spec.usermeta && spec.usermeta.manchuria && spec.usermeta.manchuria.explorer;
    if (!meta) return null;
    var explorer = explorerPanel(figure);
    explorer.meta = meta;
    explorer.params = (spec.params || []).filter(function (param) { return param.bind; });
    return explorer;
  }

  function viewAddress(explorer) {
    var section = explorer.figure.closest("section[id]");
    var path = pageAddress([queryEntries(explorer)], section ? "#" + section.id : "");
    return new URL(path, window.location.href).href;
  }

  function copyLink(explorer) {
    var address = viewAddress(explorer);
    explorer.copied.value = address;
    function fallback() {
      // No clipboard (an insecure page, or a refusal): show the link selected for the reader to copy.
      explorer.copied.hidden = false;
      explorer.copied.focus();
      explorer.copied.select();
      explorer.status.textContent = "Copy this link to share the view: " + address;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(address).then(function () {
        explorer.copied.hidden = false;
        explorer.status.textContent = "Link copied: " + address;
      }, fallback);
    } else {
      fallback();
    }
  }

  function describeDates(explorer) {
    explorer.params.forEach(function (param) {
      var origin = explorer.meta.dates[param.name];
      if (!origin) return;
      var input = explorer.bindings.querySelector('input[name="' + param.name + '"]');
      if (!input) return;
      var text = readableDay(origin, explorer.view.signal(param.name));
      // Vega writes the slider's number in the span after it; the reader gets the date.
      var shown = input.nextElementSibling;
      if (shown && shown.tagName === "SPAN") {
        shown.textContent = text;
        shown.className = "manchuria-explorer-day";
      }
      input.setAttribute("aria-valuetext", text);
    });
  }

  function showRows(explorer) {
    var ids = shownIds(explorer.view);
    var figure = explorer.figure;
    figure.dataset.shown = String(ids.length);
    var noun = explorer.meta.noun;
    var text = ids.length ? ids.length + " " + (ids.length === 1 ? noun.replace(/s$/, "") : noun) + " shown." : explorer.meta.empty;
    explorer.status.textContent = explorer.problems.concat([text]).join(" ");
    explorer.status.classList.toggle("manchuria-explorer-empty", ids.length === 0);
    // The data table under the chart lists the rows shown, for keyboard and touch readers.
    var wanted = new Set(ids.map(String));
    var rows = figure.querySelectorAll(".manchuria-chart-data tr[data-row-id]");
    rows.forEach(function (row) { row.hidden = !wanted.has(row.dataset.rowId); });
    describeDates(explorer);
  }

  function applyState(explorer, state) {
    explorer.params.forEach(function (param) {
      explorer.view.signal(param.name, param.name in state ? state[param.name] : param.value);
    });
    return explorer.view.runAsync();
  }

  function stepDaysWithPageKeys(explorer) {
    explorer.params.forEach(function (param) {
      if (!explorer.meta.dates[param.name]) return;
      var input = explorer.bindings.querySelector('input[name="' + param.name + '"]');
      if (!input) return;
      input.addEventListener("keydown", function (event) {
        var step = { PageUp: PAGE_STEP_DAYS, PageDown: -PAGE_STEP_DAYS }[event.key];
        if (!step) return;
        event.preventDefault();
        input.value = String(Math.min(param.bind.max, Math.max(param.bind.min, Number(input.value) + step)));
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
  }

  function attachExplorer(explorer, view) {
    explorer.view = view;
    explorer.link.hidden = false;
    var start = explorer.state;
    explorer.problems = [];
    if (!start) {
      var fromAddressBar = addressState(explorer);
      start = fromAddressBar.state;
      explorer.problems = fromAddressBar.problems;
    }
    applyingAddress = true;
    return applyState(explorer, start).then(function () {
      applyingAddress = false;
      explorer.params.forEach(function (param) {
        view.addSignalListener(param.name, function () {
          explorer.state = currentState(explorer);
          explorer.problems = [];
          view.runAfter(function () { showRows(explorer); });
          schedulePush();
        });
      });
      explorer.state = currentState(explorer);
      stepDaysWithPageKeys(explorer);
      showRows(explorer);
    });
  }

  window.addEventListener("popstate", function () {
    applyingAddress = true;
    Promise.all(
      explorers.filter(function (explorer) { return explorer.view; }).map(function (explorer) {
        var fromAddressBar = addressState(explorer);
        explorer.problems = fromAddressBar.problems;
        return applyState(explorer, fromAddressBar.state).then(function () {
          explorer.state = currentState(explorer);
          showRows(explorer);
        });
      })
    ).then(function () { applyingAddress = false; });
  });

  // Tests and curious readers can ask which rows an explorer shows.
  function explorerOf(figure) {
    var explorer = explorers.filter(function (candidate) { return candidate.figure === figure; })[0];
    if (!explorer || !explorer.view) throw new Error("not a drawn explorer: " + figure.className);
    return explorer;
  }

  window.manchuriaExplorers = {
    shownIds: function (figure) {
      return shownIds(explorerOf(figure).view);
    },
    // Set parameters directly (as the address does); resolves with the ids then shown.
    set: function (figure, state) {
      var explorer = explorerOf(figure);
      return applyState(explorer, Object.assign(currentState(explorer), state)).then(function () {
        showRows(explorer);
        return shownIds(explorer.view);
      });
    },
  };

  // --- Drawing -------------------------------------------------------------------------

  // Each spec is a script of its own (manchuria-specs/<id>.js, linked from the page), loaded
  // once, when its chart goes live; it leaves the spec in window.manchuriaSpecs[<id>].
  var specs = {};
  function specOf(figure) {
    var id = figure.dataset.spec;
    var link = id && document.querySelector('.manchuria-vega-spec a[href$="/' + id + '.js"]');
    if (!link) return Promise.resolve(null);
    if (!specs[id]) {
      specs[id] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = link.href;
        script.onload = function () { resolve((window.manchuriaSpecs || {})[id] || {}); };
        script.onerror = function () { reject(new Error("the chart's spec did not load: " + link.href)); };
        document.head.appendChild(script);
      });
    }
    return specs[id];
  }

  // Objects merged key by key, as manchuria.sphinx.specs.merged does for the build's drawing.
  function merged(base, overrides) {
    var out = Object.assign({}, base);
    Object.keys(overrides).forEach(function (key) {
      var value = overrides[key];
      var isObject = function (x) { return x && typeof x === "object" && !Array.isArray(x); };
      out[key] = isObject(value) && isObject(out[key]) ? merged(out[key], value) : value;
    });
    return out;
  }

  // A chart with a phone layout asks for it when its box is narrow, as its phone drawing did.
  function layoutFor(spec, target) {
    var meta = spec.usermeta && spec.usermeta.manchuria;
    var narrow = meta && meta.narrow;
    var widest = Number(target.dataset.narrowMax || 0);
    if (!narrow || target.clientWidth > widest) return spec;
    return merged(spec, narrow);
  }

  function drawFigure(figure) {
    return specOf(figure).then(
      function (live) { return live && drawFigureFrom(figure, live.spec, live.config); },
      function (error) {
        var target = figure.querySelector(".manchuria-vega");
        if (target) target.dataset.rendered = "error";
        controlsFailed(figure);
        console.error("Chart could not be drawn:", error.message);
      }
    );
  }

  // An explorer whose chart could not go live says so, instead of promising controls.
  function controlsFailed(figure) {
    explorers.forEach(function (explorer) {
      if (figure && explorer.figure !== figure) return;
      if (explorer.view) return;
      explorer.status.textContent = "The controls could not load; the chart shows its starting view.";
      explorer.bindings.querySelectorAll(".manchuria-explorer-turn-on").forEach(function (button) { button.remove(); });
    });
  }

  function drawFigureFrom(figure, spec, config) {
    var target = figure.querySelector(".manchuria-vega");
    if (!target || !spec) return Promise.resolve();
    var explorer = explorerFor(figure, spec);
    var options = embedOptions(config);
    // The drawing is labelled with the chart's description; the live chart takes its label.
    var drawn = target.querySelector(".manchuria-static[aria-label]");
    if (drawn) target.dataset.label = drawn.getAttribute("aria-label");
    var label = target.dataset.label || "";
    if (explorer) {
      if (explorer.view) explorer.view.finalize();
      explorer.view = null;
      explorer.bindings.innerHTML = "";
      // Vega draws the controls here, above the chart, and not inside a <form>,
      // so Enter in a text box submits nothing and the page never reloads.
      options.bind = explorer.bindings;
    }
    // The live chart is drawn under the drawing, with no height, and takes its place
    // only when done; the box keeps the drawing's height, so the page does not move.
    target.style.minHeight = target.getBoundingClientRect().height + "px";
    var canvas = document.createElement("div");
    canvas.className = "manchuria-live";
    target.append(canvas);
    target.dataset.rendered = "pending";
    return window
      .vegaEmbed(canvas, layoutFor(spec, target), options)
      .then(function (result) {
        target.querySelectorAll(".manchuria-static").forEach(function (drawing) { drawing.remove(); });
        canvas.classList.add("manchuria-live-shown");
        // The drawing is one image labelled with the chart's description
        // (the table after it holds the values); the menu gets a name.
        var svg = canvas.querySelector("svg");
        if (svg && label) {
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", label);
          // An image's parts are not read out; hide Vega's per-mark roles so
          // no unlabelled part is left for assistive tools to stumble on.
          svg.querySelectorAll(":scope > g").forEach(function (group) {
            group.setAttribute("aria-hidden", "true");
          });
        }
        var menu = canvas.querySelector("details > summary");
        if (menu) menu.setAttribute("aria-label", "Chart menu: save as SVG or PNG");
        return explorer ? attachExplorer(explorer, result.view) : null;
      })
      .then(function () {
        target.dataset.rendered = "yes";
      })
      .catch(function (error) {
        canvas.remove();
        target.dataset.rendered = "error";
        controlsFailed(figure);
        console.error("Chart could not be drawn:", error);
      });
  }

  function drawAll() {
    return Promise.all(Array.prototype.map.call(document.querySelectorAll(FIGURE), drawFigure));
  }

  function start() {
    var figures = document.querySelectorAll(FIGURE);
    var hasExplorer = false;
    figures.forEach(function (figure) {
      if ("explorer" in figure.dataset) {
        hasExplorer = true;
        explorerPanel(figure);
      }
      // The first reach for any chart brings them all to life (tooltips need Vega).
      ["pointerover", "focusin", "touchstart"].forEach(function (type) {
        figure.addEventListener(type, goLive, { once: true, passive: true });
      });
    });
    if (hasExplorer) {
      // Controls are the point of an explorer: load them as soon as the page is idle.
      if ("requestIdleCallback" in window) window.requestIdleCallback(goLive, { timeout: IDLE_TIMEOUT_MS });
      else window.setTimeout(goLive, 200);
    }
  }

  // Tests and the benchmark can ask for the live charts without a pointer.
  window.manchuriaCharts = { goLive: goLive };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
