/* The console's maps (Leaflet, vendored): street polygons and open cases coloured by status, clustered on
   the big map; one case and its street on a case page. No tile server configured: a blank background. */
(function () {
  "use strict";

  function popup(p) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.number;
    box.appendChild(link);
    box.appendChild(document.createTextNode(" " + p.status_label + (p.overdue ? " · 超期" : "")));
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(p.category));
    return box;
  }

  // A cluster takes the colour of its most urgent case, and the red ring when one of them is overdue.
  var URGENCY = ["returned", "submitted", "reported", "rectifying", "dispatched", "accepted", "verified"];

  function marker(feature) {
    var p = feature.properties, xy = feature.geometry.coordinates;
    var icon = L.divIcon({className: "pin status-" + p.status + (p.overdue ? " overdue-ring" : ""), iconSize: [16, 16]});
    return L.marker([xy[1], xy[0]], {icon: icon, title: p.number + " " + p.status_label, alt: p.number,
                                     status: p.status, overdue: p.overdue})
      .bindPopup(popup(p));
  }

  function clusterIcon(cluster) {
    var children = cluster.getAllChildMarkers(), worst = URGENCY.length - 1, overdue = false;
    children.forEach(function (m) {
      var rank = URGENCY.indexOf(m.options.status);
      if (rank >= 0 && rank < worst) { worst = rank; }
      overdue = overdue || m.options.overdue;
    });
    return L.divIcon({html: "<span>" + children.length + "</span>", iconSize: [30, 30],
                      className: "cluster status-" + URGENCY[worst] + (overdue ? " overdue-ring" : "")});
  }

  function draw(el) {
    var tiles = el.getAttribute("data-tiles");
    var big = el.classList.contains("big");
    var map = L.map(el, {attributionControl: Boolean(tiles), scrollWheelZoom: big, minZoom: 3, maxZoom: 19});
    if (tiles) {
      L.tileLayer(tiles, {maxZoom: 19, subdomains: "1234"}).addTo(map);
    }
    fetch(el.getAttribute("data-geojson"), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (answer) {
        if (!answer.ok) { throw new Error("HTTP " + answer.status); }
        return answer.json();
      })
      .then(function (data) {
        var streets = data.features.filter(function (f) { return f.properties.kind === "street"; });
        var cases = data.features.filter(function (f) { return f.properties.kind === "case"; });
        var outlines = L.geoJSON(streets, {
          style: {color: "#1d4f91", weight: 2, fillColor: "#1d4f91", fillOpacity: 0.06},
          onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name, {sticky: true}); }
        }).addTo(map);
        var points = big ? L.markerClusterGroup({maxClusterRadius: 50, showCoverageOnHover: false, iconCreateFunction: clusterIcon}) : L.featureGroup();
        cases.forEach(function (f) { points.addLayer(marker(f)); });
        points.addTo(map);
        var bounds = L.latLngBounds([]);
        if (outlines.getLayers().length) { bounds.extend(outlines.getBounds()); }
        if (cases.length) { bounds.extend(points.getBounds()); }
        if (bounds.isValid()) {
          map.fitBounds(bounds, {padding: [16, 16], maxZoom: 17});
        } else {
          map.setView([35.0, 105.0], 4);
        }
        el.setAttribute("data-cases", String(cases.length));
        el.setAttribute("data-streets", String(streets.length));
      })
      .catch(function (error) {
        el.setAttribute("data-cases", "error");
        el.setAttribute("data-error", String(error));
        var note = document.createElement("p");
        note.className = "flash error";
        note.textContent = "地图数据加载失败, 请刷新页面重试。";
        el.parentNode.insertBefore(note, el);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("div.map[data-geojson]"), draw);
  });
}());
