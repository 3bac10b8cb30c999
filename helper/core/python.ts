/** Python's numeric conventions, where a port of PySceneDetect must match them to the pixel. */

/** Python 3's round(): halves go to the even neighbour (round(2.5) = 2, round(1.5) = 2). */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
