// How a `iotwb simulate` run ends: after its duration, or on Ctrl+C / SIGTERM when it has none.
export function untilStopped(durationS: number | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      clearTimeout(deadline);
      resolve();
    };
    const deadline = durationS !== undefined && durationS > 0 ? setTimeout(done, durationS * 1000) : undefined;
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
