// Sends a chat message and shows the reply as the server streams it (server-sent events read
// from a fetch response; EventSource cannot POST). The price shown is the price agreed to.
(function () {
  const form = document.getElementById("chat-form");
  if (!form) return;
  const thread = document.getElementById("thread");
  const error = document.getElementById("chat-error");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];

  function bubble(cls, text) {
    const p = document.createElement("p");
    p.className = "bubble " + cls;
    p.textContent = text;
    thread.appendChild(p);
    return p;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    error.hidden = true;
    const text = form.message.value.trim();
    if (!text) return;
    const body = new URLSearchParams({
      message: text,
      expected_cost_tokens: document.getElementById("price").dataset.cost,
      message_id: "web-" + Date.now() + "-" + Math.random().toString(36).slice(2, 10),
    });
    form.querySelector("button").disabled = true;
    const response = await fetch(
      "/chat/" + form.dataset.persona + "/send?mode=" + form.dataset.mode,
      {method: "POST", body: body, headers: {"X-CSRF-Token": csrf, "Accept": "text/event-stream"}});
    if (!response.ok) {
      const problem = await response.json();
      error.textContent = problem.error.message;
      error.hidden = false;
      form.querySelector("button").disabled = false;
      return;
    }
    bubble("fan", text);
    form.message.value = "";
    const reply = bubble("persona", "");
    reply.dataset.testid = "reply";
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, {stream: true});
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const name = block.match(/^event: (.*)$/m)[1];
        const data = JSON.parse(block.match(/^data: (.*)$/m)[1]);
        if (name === "delta") reply.textContent += data.text;
        if (name === "replaced") reply.textContent = data.text;
        if (name === "error") {
          reply.textContent = data.code === "message_refused"
            ? "Not answered: this message breaks the platform's rules. It was given back."
            : "No reply: this message was given back.";
        }
        if (name === "done") { reply.textContent = data.reply; reply.dataset.done = "1"; }
      }
    }
    window.location.reload();  // the thread and the next price, as recorded
  });
})();
