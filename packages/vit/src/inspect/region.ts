// Which rectangle of the original image the model actually saw, so a patch map drawn over the original lines
// up with it: resize (exact, shortest edge or keep-ratio) then center crop, inverted back to original pixels.
// Optimized for correctness of the geometry; the resize/crop arithmetic is @patchwise/io's (HF / torchvision).

import { centerCropOrigin, resizeOutputSize } from '@patchwise/io';
import type { PreprocessConfig } from '@patchwise/io';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The model input's footprint in the original image (float pixel coordinates, exclusive ends). A resize maps the
 * whole image; a center crop keeps its window (scaled back by the resize factors); padding (a crop larger than
 * the image) extends the box beyond the image.
 */
export function inputRegion(width: number, height: number, config: PreprocessConfig): Box {
  let rh = height;
  let rw = width;
  if (config.doResize) ({ height: rh, width: rw } = resizeOutputSize(height, width, config.resize));
  if (!config.doCenterCrop) return { x0: 0, y0: 0, x1: width, y1: height };
  const { height: ch, width: cw } = config.cropSize;
  const top = centerCropOrigin(rh, ch, config.cropRounding); // in resized pixels (negative when padding)
  const left = centerCropOrigin(rw, cw, config.cropRounding);
  const sy = height / rh; // resized -> original
  const sx = width / rw;
  return { x0: left * sx, y0: top * sy, x1: (left + cw) * sx, y1: (top + ch) * sy };
}
