/** Self time per function in a V8 CPU profile (the one `node --cpu-prof` writes), for the profiling scripts. */

/** The parts of a V8 CPU profile the scripts read. */
export interface Profile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }>;
  samples?: number[];
  timeDeltas?: number[];
}

/** Each sample's time goes to the function it landed in ("name file:line"); µs, with the total. */
export function selfTimes(profile: Profile): { self: Map<string, number>; total: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  (profile.samples ?? []).forEach((id, i) => {
    const delta = profile.timeDeltas?.[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    const where =
      frame.url === ''
        ? ''
        : ` ${frame.url.replace(/^.*\/(src|node_modules|bench|cfsocketstream-bench\/\d+)\//, '$1/')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + delta);
    total += delta;
  });
  return { self, total };
}
