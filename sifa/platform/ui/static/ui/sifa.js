/* Small shell behaviours, no framework: tell the user when an HTMX request fails instead of
   silently doing nothing (HTMX does not swap 4xx/5xx responses by default). */
(function () {
  "use strict";
  function alertBox(text) {
    var box = document.getElementById("sifa-alerts");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "alert alert-danger alert-dismissible fade show";
    div.setAttribute("role", "alert");
    div.textContent = text;  // textContent: a server message is never interpreted as HTML
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", box.dataset.closeText || "Close");
    div.appendChild(close);
    box.replaceChildren(div);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var body = (event.detail.xhr && event.detail.xhr.responseText) || "";
    var plain = body.length > 0 && body.length < 300 && body.indexOf("<") === -1;
    alertBox(plain ? body : document.body.dataset.errorText);
  });
  document.addEventListener("htmx:sendError", function () {
    alertBox(document.body.dataset.networkText);
  });
})();
