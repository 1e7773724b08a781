/**
 * A supervised process must not outlive its supervisor: a SIGKILLed supervisor cannot stop its
 * children, and children left serving keep the port with caches nobody invalidates any more.
 * The IPC channel closing ('disconnect') says so at once; the parent pid changing (re-parented to
 * init or a subreaper) is the backstop should the channel's close go unnoticed.
 */
export function watchSupervisor(onGone: (why: string) => void, pollMs = 500): () => void {
  const parent = process.ppid;
  let done = false;
  const stop = () => {
    done = true;
    clearInterval(timer);
    process.off("disconnect", onDisconnect);
  };
  const fire = (why: string) => {
    if (done) return;
    stop();
    onGone(why);
  };
  const onDisconnect = () => fire("supervisor gone (IPC channel closed)");
  process.on("disconnect", onDisconnect);
  const timer = setInterval(() => {
    if (process.ppid !== parent) fire(`supervisor gone (parent pid ${parent} -> ${process.ppid})`);
  }, pollMs);
  timer.unref?.();
  return stop;
}
