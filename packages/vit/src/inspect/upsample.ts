// Smooth upsampling of a patch grid to image size: bilinear interpolation with half-pixel centres.
// Optimized for readability (two clamped taps per axis). Matches torch F.interpolate(mode='bilinear',
// align_corners=False) for upscaling (source coordinate (dst + 0.5) * in / out - 0.5, clamped to [0, in - 1]).

/**
 * grid [gh * gw] (row-major) -> [outH * outW], sampled at the centres of output pixels. `region` maps the grid
 * onto a sub-rectangle of the output (x0, y0, x1, y1 in output pixels, exclusive ends); pixels outside it get NaN.
 */
export function upsampleBilinear(
  grid: ArrayLike<number>, gh: number, gw: number, outH: number, outW: number,
  region: { x0: number; y0: number; x1: number; y1: number } = { x0: 0, y0: 0, x1: outW, y1: outH },
): Float32Array {
  if (grid.length !== gh * gw) throw new RangeError(`upsample: grid has ${grid.length} values, expected ${gh}x${gw} = ${gh * gw}`);
  const out = new Float32Array(outH * outW);
  const rw = region.x1 - region.x0;
  const rh = region.y1 - region.y0;
  for (let y = 0; y < outH; y++) {
    const yc = y + 0.5; // pixel centre in output coordinates
    const inY = yc >= region.y0 && yc <= region.y1;
    // grid coordinate: the region spans gh cells; cell centres sit at 0.5, 1.5, ... in cell units
    const sy = Math.min(Math.max(((yc - region.y0) * gh) / rh - 0.5, 0), gh - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, gh - 1);
    const fy = sy - y0;
    for (let x = 0; x < outW; x++) {
      const xc = x + 0.5;
      if (!inY || xc < region.x0 || xc > region.x1) {
        out[y * outW + x] = NaN;
        continue;
      }
      const sx = Math.min(Math.max(((xc - region.x0) * gw) / rw - 0.5, 0), gw - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, gw - 1);
      const fx = sx - x0;
      const top = grid[y0 * gw + x0]! * (1 - fx) + grid[y0 * gw + x1]! * fx;
      const bottom = grid[y1 * gw + x0]! * (1 - fx) + grid[y1 * gw + x1]! * fx;
      out[y * outW + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}
