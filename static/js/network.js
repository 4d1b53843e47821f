/* The interactive picture of the partner network (Cytoscape.js), for the network page.
 *
 * The page works without this script: the tables hold the same data. With it, the picture
 * appears, coloured by kind (colours come from the legend's CSS, so they are defined once) and
 * sized by the chosen metric. Filtering happens on the server: each change of kind, country,
 * region, relationship kind, focus or distance asks the graph API for that part of the network
 * (at most 1,500 organisations, with their precomputed positions when the snapshot has them), so
 * a country-sized network never reaches the browser whole. Organisations are chosen by typing
 * part of a name (an ARIA combobox over the search API), never from a list of every name.
 */
(function () {
  "use strict";

  var section = document.getElementById("network-view");
  if (!section || typeof window.cytoscape !== "function" || !window.fetch) {
    return;
  }
  var form = document.getElementById("network-controls");
  var message = document.getElementById("network-message");
  var container = document.getElementById("network-graph");
  var panel = document.getElementById("network-panel");
  var cy = null;
  var colours = null;
  var loads = 0; // only the newest answer is drawn

  function field(name) {
    return form.elements[name];
  }

  function say(text) {
    message.textContent = text;
  }

  function template(name) {
    // Wording comes from the page (translated there); {n}, {total} and {matched} are filled in here.
    return section.getAttribute("data-text-" + name) || "";
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    });
  }

  function kindColours() {
    var found = {};
    section.querySelectorAll(".legend .swatch").forEach(function (swatch) {
      found[swatch.getAttribute("data-kind")] = window.getComputedStyle(swatch).backgroundColor;
    });
    return found;
  }

  function kindLabels() {
    var labels = {};
    Array.prototype.forEach.call(field("kind").options, function (option) {
      if (option.value) {
        labels[option.value] = option.textContent;
      }
    });
    return labels;
  }

  function sizeBy(metric) {
    var max = 0;
    cy.nodes().forEach(function (node) {
      max = Math.max(max, node.data(metric) || 0);
    });
    var size = max > 0 ? "mapData(" + metric + ", 0, " + max + ", 8, 44)" : 12;
    cy.style().selector("node").style({ width: size, height: size }).update();
  }

  function graphUrl(include) {
    var params = new URLSearchParams();
    ["kind", "country", "region", "tie", "focus"].forEach(function (name) {
      if (field(name).value) {
        params.set(name, field(name).value);
      }
    });
    if (field("focus").value) {
      params.set("depth", String(Math.max(1, Math.min(4, parseInt(field("depth").value, 10) || 1))));
    }
    (include || []).slice(0, 100).forEach(function (id) {
      params.append("include", String(id));
    });
    var query = params.toString();
    return section.getAttribute("data-graph-url") + (query ? "?" + query : "");
  }

  function create(total) {
    var large = total > 500;
    cy = window.cytoscape({
      container: container,
      elements: [],
      minZoom: 0.05,
      maxZoom: 4,
      pixelRatio: 1,
      textureOnViewport: large,
      hideEdgesOnViewport: large,
      style: [
        // Names appear once zoomed in far enough to read them, and always for the organisation in focus,
        // the one under the pointer or keyboard selection, and a highlighted path: never a heap of labels.
        { selector: "node", style: {
          "background-color": "data(colour)", "border-width": 1, "border-color": "#1b1f24",
          label: "data(name)", "font-size": 9, "min-zoomed-font-size": 14, color: "#1b1f24",
          "text-valign": "bottom", "text-margin-y": 2, "text-wrap": "ellipsis", "text-max-width": "9em",
        } },
        { selector: "node.focus, node.hover, node.on-path, node:selected", style: {
          "min-zoomed-font-size": 0, "font-size": 11, "font-weight": "bold", "text-max-width": "14em",
          "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 2,
          "z-index": 20,
        } },
        { selector: ".elsewhere", style: { display: "none" } },
        { selector: "edge", style: {
          width: "mapData(weight, 0, 8, 0.5, 4)", "line-color": "#8a96a3", "curve-style": "haystack", opacity: 0.6,
        } },
        // Met only at training events: dashed, apart from formal and referral ties.
        { selector: "edge[met_only]", style: {
          "curve-style": "straight", "line-style": "dashed", "line-color": "#6b4fa0", width: 1.5,
        } },
        { selector: "node.focus", style: { "border-width": 4, "border-color": "#083b6a" } },
        { selector: "node.on-path", style: { "border-width": 4, "border-color": "#a4161a", "z-index": 10 } },
        { selector: "edge.on-path", style: { width: 5, "line-color": "#a4161a", opacity: 1, "z-index": 10 } },
        { selector: "node:selected", style: { "border-width": 4, "border-color": "#ffbf47" } },
      ],
    });
    cy.on("tap", "node", function (event) {
      openPanel(event.target.id());
    });
    cy.on("mouseover", "node", function (event) {
      event.target.addClass("hover");
    });
    cy.on("mouseout", "node", function (event) {
      event.target.removeClass("hover");
    });
  }

  function arrange(elements) {
    // fCoSE (vendored from npm) is made for networks like this one: fast, and it keeps groups apart.
    // Without it (a failed download of the extension) Cytoscape's own CoSE still lays the picture out.
    var fcose = typeof window.cytoscapeFcose === "function";
    var options = fcose
      ? { name: "fcose", quality: elements.nodes().length > 800 ? "draft" : "default", animate: false,
          randomize: true, nodeSeparation: 60, idealEdgeLength: 60, packComponents: true }
      : { name: "cose", animate: false, randomize: true, numIter: 500 };
    elements.layout(options).run();
  }

  function draw(data) {
    var nodes = data.elements.nodes;
    nodes.forEach(function (node) {
      node.data.colour = colours[node.data.kind] || "#777";
    });
    if (!cy) {
      create(data.total);
    }
    var positioned = nodes.length > 0 && nodes.every(function (node) { return node.position; });
    cy.batch(function () {
      cy.elements().remove();
      cy.add(data.elements);
      var focus = field("focus").value;
      if (focus) {
        cy.getElementById(focus).addClass("focus");
      }
    });
    sizeBy(field("size").value);
    if (!positioned && nodes.length) {
      arrange(cy.elements());
    }
    cy.fit(undefined, field("focus").value ? 40 : 20);
    var shown = nodes.length;
    container.setAttribute("data-visible-nodes", String(shown));
    var values = { n: shown, total: data.total, matched: data.matched };
    if (data.matched > data.limit) {
      say(fill(template(field("focus").value ? "nearest" : "central"), values));
    } else {
      say(fill(template("showing"), values));
    }
  }

  function load(include) {
    loads += 1;
    var mine = loads;
    container.setAttribute("data-ready", "false");
    container.setAttribute("aria-busy", "true");
    say(template("loading"));
    return getJSON(graphUrl(include))
      .then(function (data) {
        if (mine !== loads) {
          return false;
        }
        draw(data);
        return true;
      })
      .catch(function () {
        if (mine === loads) {
          say(template("failed"));
        }
        return false;
      })
      .then(function (drawn) {
        if (mine === loads) {
          container.setAttribute("data-ready", "true");
          container.removeAttribute("aria-busy");
        }
        return drawn;
      });
  }

  function openPanel(id) {
    if (window.htmx) {
      window.htmx.ajax("GET", section.getAttribute("data-panel-url") + id, { target: "#network-panel", swap: "innerHTML" });
    } else {
      window.location.href = "/organisations/" + id;
    }
  }

  function highlightPath() {
    var from = field("from").value;
    var to = field("to").value;
    if (cy) {
      cy.elements().removeClass("on-path elsewhere");
    }
    if (!from || !to) {
      say(template("choose-both"));
      return;
    }
    var url = section.getAttribute("data-path-url") + "?source=" + encodeURIComponent(from) + "&target=" + encodeURIComponent(to);
    getJSON(url)
      .then(function (chain) {
        if (!chain.items.length) {
          say(template("no-path"));
          return;
        }
        var ids = chain.items.map(function (item) { return item.id; });
        // The chain's organisations join the current picture, whatever its filter.
        return load(ids).then(function (drawn) {
          if (!drawn) {
            return;
          }
          var path = cy.collection();
          chain.items.forEach(function (item, index) {
            var node = cy.getElementById(String(item.id));
            path = path.union(node);
            if (index > 0) {
              path = path.union(node.edgesWith(cy.getElementById(String(chain.items[index - 1].id))));
            }
          });
          path.addClass("on-path");
          // The path view: the chain and its organisations' direct partners only, laid out afresh,
          // instead of a zoom into the whole picture where their names would overlap.
          var shown = path.union(path.nodes().neighborhood());
          cy.elements().difference(shown).addClass("elsewhere");
          arrange(shown);
          cy.fit(shown, 40);
          container.setAttribute("data-path-nodes", String(shown.nodes().length));
          say(template("path") + " " + chain.items.map(function (item) { return item.name; }).join(" → "));
        });
      })
      .catch(function () {
        say(template("no-path"));
      });
  }

  /* One organisation picker: the editable combobox with list autocomplete of WAI-ARIA 1.2.
   * Typing asks the search API (after a short pause); Down and Up move through the options,
   * Enter or a click chooses one, Escape closes the list (or, when closed, clears the field). */
  function picker(hidden, onChoose) {
    var input = document.getElementById(hidden.id + "-name");
    var list = document.getElementById(hidden.id + "-options");
    var status = document.getElementById("graph-picker-status");
    var labels = kindLabels();
    var options = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function open(isOpen) {
      list.hidden = !isOpen;
      input.setAttribute("aria-expanded", isOpen ? "true" : "false");
      if (!isOpen) {
        activate(-1);
      }
    }

    function activate(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var option = options[index];
      input.value = option.getAttribute("data-name");
      hidden.value = option.getAttribute("data-id");
      open(false);
      onChoose(hidden.value);
    }

    function show(result) {
      list.textContent = "";
      options = result.items.map(function (item, i) {
        var option = document.createElement("li");
        option.id = hidden.id + "-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-id", String(item.id));
        option.setAttribute("data-name", item.name);
        option.textContent = item.name + " ";
        var place = document.createElement("span");
        place.className = "muted";
        place.textContent = "(" + [labels[item.kind] || item.kind, item.municipality || item.region, item.country]
          .filter(Boolean).join(", ") + ")";
        option.appendChild(place);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
        });
        option.addEventListener("click", function () {
          choose(i);
        });
        list.appendChild(option);
        return option;
      });
      active = -1;
      open(options.length > 0);
      var values = { n: result.items.length, total: result.total };
      if (!result.items.length) {
        status.textContent = template("found-none");
      } else if (result.total > result.items.length) {
        status.textContent = fill(template("found-more"), values);
      } else {
        status.textContent = fill(template("found"), values);
      }
    }

    function search() {
      var text = input.value.trim();
      asked += 1;
      var mine = asked;
      if (!text) {
        options = [];
        list.textContent = "";
        open(false);
        return;
      }
      getJSON(section.getAttribute("data-search-url") + "?q=" + encodeURIComponent(text.slice(0, 100)))
        .then(function (result) {
          if (mine === asked && document.activeElement === input) {
            show(result);
          }
        })
        .catch(function () {
          status.textContent = template("failed");
        });
    }

    input.addEventListener("input", function () {
      if (hidden.value) {
        hidden.value = ""; // the text no longer names the chosen organisation
        onChoose("");
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      var isOpen = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!isOpen) {
          if (options.length) {
            open(true);
          } else {
            search();
            return;
          }
        }
        var step = event.key === "ArrowDown" ? 1 : -1;
        activate((active + step + options.length + (active < 0 && step < 0 ? 1 : 0)) % options.length);
      } else if (event.key === "Enter") {
        if (isOpen) {
          event.preventDefault();
          if (active >= 0) {
            choose(active);
          }
        }
      } else if (event.key === "Escape") {
        if (isOpen) {
          event.preventDefault();
          open(false);
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          if (hidden.value) {
            hidden.value = "";
            onChoose("");
          }
        }
      }
    });
    input.addEventListener("blur", function () {
      open(false);
    });
    return {
      clear: function () {
        window.clearTimeout(timer);
        asked += 1;
        input.value = "";
        hidden.value = "";
        options = [];
        list.textContent = "";
        open(false);
      },
    };
  }

  function start() {
    colours = kindColours();
    var pickers = [
      picker(field("focus"), function (id) {
        load();
        if (id) {
          openPanel(id);
        }
      }),
      picker(field("from"), function () {}),
      picker(field("to"), function () {}),
    ];
    form.addEventListener("change", function (event) {
      var name = event.target.name;
      if (name === "size") {
        if (cy) {
          sizeBy(event.target.value);
        }
      } else if (name === "depth") {
        if (field("focus").value) {
          load();
        }
      } else if (name === "kind" || name === "country" || name === "region" || name === "tie") {
        load();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      load();
    });
    form.addEventListener("reset", function () {
      window.setTimeout(function () {
        pickers.forEach(function (one) { one.clear(); });
        load();
      }, 0);
    });
    document.getElementById("graph-path").addEventListener("click", highlightPath);
    load();
  }

  section.hidden = false;
  if (panel) {
    panel.setAttribute("tabindex", "-1");
  }
  start();
})();
