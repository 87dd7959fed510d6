/* The catalogue's map view: Leaflet draws the results that have a place
   (li.result[data-lat]) on tiles from the configured server. The list under
   the map shows the same dates, so the page works without this file, without
   tiles and without JavaScript. */
(function () {
  "use strict";

  var current = null;

  function draw() {
    var box = document.getElementById("results-map");
    if (current && (!box || current.getContainer() !== box)) {
      current.remove();
      current = null;
    }
    if (!box || current || typeof window.L === "undefined") return;
    var results = Array.prototype.slice.call(document.querySelectorAll("#results li.result[data-lat]"));
    box.textContent = "";
    var map = window.L.map(box, { scrollWheelZoom: false });
    window.L.tileLayer(box.getAttribute("data-tiles"), {
      maxZoom: 18,
      attribution: box.getAttribute("data-attribution")
    }).addTo(map);
    var points = [];
    results.forEach(function (item) {
      var point = [parseFloat(item.getAttribute("data-lat")), parseFloat(item.getAttribute("data-lng"))];
      var link = item.querySelector("h3 a");
      var when = item.querySelector(".when time");
      var popup = document.createElement("div");
      var a = document.createElement("a");
      a.href = link.getAttribute("href");
      a.textContent = link.textContent;
      popup.appendChild(a);
      if (when) popup.appendChild(document.createTextNode(" · " + when.textContent));
      window.L.marker(point, { title: link.textContent, alt: link.textContent })
        .bindPopup(popup).addTo(map);
      points.push(point);
    });
    if (points.length) {
      map.fitBounds(points, { padding: [24, 24], maxZoom: 13 });
    } else {
      map.setView([52.25, 6.8], 10);  // Twente, when nothing on this page has a place
    }
    current = map;
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
