// The read-only diagram of a saved version (designer/view.html): a file of its own,
// since the pages' security policy runs no inline script.
(async function () {
  const el = document.getElementById("canvas");
  const viewer = new BpmnJS({ container: el });
  const body = await (await fetch(el.dataset.xmlUrl, { credentials: "same-origin" })).json();
  await viewer.importXML(body.xml);
  viewer.get("canvas").zoom("fit-viewport");
  el.dataset.ready = "true";
})();
