/**
 * A drawn face for detector tests (no photos here): skin-toned oval with shading, hair, brows,
 * eyes with irises, a nose shadow, lips and a neck, on a plain background. Deterministic.
 */
export interface DrawnFace {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
  /** Where the face oval was drawn, pixels [x1, y1, x2, y2]. */
  oval: [number, number, number, number];
}

type Rgb = [number, number, number];

export function drawFace(width: number, height: number, cx: number, cy: number, rx: number, ry: number): DrawnFace {
  const data = new Uint8Array(width * height * 3);
  const put = (x: number, y: number, c: Rgb) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    data.set(c, (y * width + x) * 3);
  };
  const inEllipse = (x: number, y: number, ex: number, ey: number, ax: number, ay: number) =>
    ((x - ex) / ax) ** 2 + ((y - ey) / ay) ** 2 <= 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c: Rgb = [70 + Math.round((40 * y) / height), 90, 110];
      if (inEllipse(x, y, cx, cy + 1.6 * ry, 0.45 * rx, 0.9 * ry) && y > cy) c = [200, 150, 120]; // neck
      if (inEllipse(x, y, cx, cy - 0.15 * ry, 1.12 * rx, 1.1 * ry)) c = [60, 40, 25]; // hair
      if (inEllipse(x, y, cx, cy, rx, ry) && y > cy - 0.65 * ry) {
        const shade = 1 - 0.25 * (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2);
        c = [Math.round(225 * shade), Math.round(175 * shade), Math.round(145 * shade)];
      }
      for (const side of [-1, 1]) {
        const ex = cx + side * 0.38 * rx,
          ey = cy - 0.15 * ry;
        if (inEllipse(x, y, ex, ey - 0.2 * ry, 0.25 * rx, 0.05 * ry)) c = [70, 45, 30]; // brow
        if (inEllipse(x, y, ex, ey, 0.2 * rx, 0.09 * ry)) c = [240, 240, 240];
        if (inEllipse(x, y, ex, ey, 0.08 * rx, 0.08 * ry)) c = [60, 40, 30];
      }
      if (inEllipse(x, y, cx, cy + 0.15 * ry, 0.1 * rx, 0.16 * ry) && x > cx) c = [185, 130, 105]; // nose shadow
      if (inEllipse(x, y, cx, cy + 0.5 * ry, 0.32 * rx, 0.08 * ry)) c = [170, 70, 70]; // lips
      if (inEllipse(x, y, cx, cy + 0.5 * ry, 0.3 * rx, 0.012 * ry)) c = [90, 30, 30];
      put(x, y, c);
    }
  }
  return {
    data,
    width,
    height,
    channels: 3,
    oval: [Math.round(cx - rx), Math.round(cy - ry), Math.round(cx + rx), Math.round(cy + ry)],
  };
}
