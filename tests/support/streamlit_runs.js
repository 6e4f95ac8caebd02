// Counts Streamlit's script runs from its own protocol: each rerun the page asks for (a
// BackMsg's rerun_script) is pending until the server says a run finished (a ForwardMsg's
// script_finished, other than "stopped early for a rerun"). Top-level protobuf fields only.
(() => {
  const RERUN_SCRIPT = __RERUN_SCRIPT__;
  const SCRIPT_FINISHED = __SCRIPT_FINISHED__;
  const FINISHED_EARLY_FOR_RERUN = __EARLY__;
  const state = { requested: 0, pending: false, settledFrames: 0 };
  window.__trackerRuns = state;

  function varint(bytes, at) {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at.i >= bytes.length) throw new RangeError("truncated varint");
      const byte = bytes[at.i++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }

  // field number -> varint value (or -1 for other wire types), for the top-level fields; an
  // empty map for what does not parse
  function fields(data) {
    try {
      return parse(data);
    } catch (error) {
      return new Map();
    }
  }

  function parse(data) {
    const bytes = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    const found = new Map();
    const at = { i: 0 };
    while (at.i < bytes.length) {
      const tag = varint(bytes, at);
      const wire = tag % 8;
      const field = Math.floor(tag / 8);
      if (wire === 0) found.set(field, varint(bytes, at));
      else if (wire === 1) { at.i += 8; found.set(field, -1); }
      else if (wire === 2) {
        const length = varint(bytes, at); // read before moving on: it advances at.i itself
        at.i += length;
        found.set(field, -1);
      }
      else if (wire === 5) { at.i += 4; found.set(field, -1); }
      else return found;
    }
    return found;
  }

  let generation = 0;
  function settleAfterFrames() {
    // Streamlit handles the message and React renders it in the next tasks: count two frames
    // (a newer run, or a newer finish, abandons this count)
    generation += 1;
    const mine = generation;
    state.settledFrames = 0;
    const tick = () => {
      if (state.pending || mine !== generation) return;
      state.settledFrames += 1;
      if (state.settledFrames < 2) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  const Native = window.WebSocket;
  class Watched extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const status = fields(event.data).get(SCRIPT_FINISHED);
        if (status !== undefined && status !== FINISHED_EARLY_FOR_RERUN) {
          state.pending = false;
          settleAfterFrames();
        }
      });
    }
    send(data) {
      if ((data instanceof ArrayBuffer || ArrayBuffer.isView(data)) && fields(data).has(RERUN_SCRIPT)) {
        state.requested += 1;
        state.pending = true;
        state.settledFrames = 0;
        generation += 1;
      }
      return super.send(data);
    }
  }
  window.WebSocket = Watched;
})();
