/**
 * Libellés des axes dessinés dans les `<canvas>` de lightweight-charts : le DOM ne les contient pas,
 * on relève donc leurs boîtes englobantes en interceptant `fillText` (et le remplissage complet en
 * mode « copy » par lequel la bibliothèque efface un canvas avant de le repeindre).
 *
 *   await recordCanvasLabels(page)          // une fois par page, avant de faire repeindre
 *   const boxes = await axisLabelBoxes(page, '[data-testid="bt-equity"]')
 *   assert.deepEqual(labelProblems(boxes), [])
 */

/** Installe l'enregistreur dans la page (idempotent). */
export async function recordCanvasLabels(page) {
  await page.evaluate(() => {
    if (window.__canvasLabelsInstalled) return
    window.__canvasLabelsInstalled = true
    const proto = CanvasRenderingContext2D.prototype
    const { fillRect, fillText } = proto
    proto.fillRect = function (x, y, w, h) {
      // Effacement complet du canvas : début d'une nouvelle image, les anciens libellés disparaissent.
      if (this.globalCompositeOperation === 'copy' && x <= 0 && y <= 0 && w >= this.canvas.width && h >= this.canvas.height) {
        this.canvas.__labels = []
      }
      return fillRect.call(this, x, y, w, h)
    }
    proto.fillText = function (text, x, y, ...rest) {
      const m = this.measureText(text)
      const t = this.getTransform()
      const a = t.transformPoint(new DOMPoint(x - m.actualBoundingBoxLeft, y - m.actualBoundingBoxAscent))
      const b = t.transformPoint(new DOMPoint(x + m.actualBoundingBoxRight, y + m.actualBoundingBoxDescent))
      ;(this.canvas.__labels ??= []).push({ text: String(text), color: String(this.fillStyle), bitmap: [a.x, a.y, b.x, b.y] })
      return fillText.call(this, text, x, y, ...rest)
    }
  })
}

/**
 * Fait repeindre les graphiques (petit redimensionnement de la fenêtre : `autoSize` redessine tout),
 * puis renvoie, pour chaque canvas sous `selector`, les libellés de la couleur des axes
 * (`--color-text-muted`) en pixels CSS relatifs au canvas : `[{canvas, width, height, labels:
 * [{text, x0, y0, x1, y1}]}]`. Les étiquettes de dernière valeur et du réticule (autres couleurs,
 * posées volontairement par-dessus) sont ignorées.
 */
export async function axisLabelBoxes(page, selector) {
  const viewport = page.viewportSize()
  await page.setViewportSize({ width: viewport.width - 1, height: viewport.height })
  await page.waitForTimeout(300)
  await page.evaluate((sel) => {
    for (const canvas of document.querySelectorAll(`${sel} canvas`)) canvas.__labels = []
  }, selector)
  await page.setViewportSize(viewport)
  await page.waitForTimeout(500)
  return page.evaluate((sel) => {
    const probe = document.createElement('canvas').getContext('2d')
    probe.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--color-text-muted').trim()
    const axisColor = probe.fillStyle
    return [...document.querySelectorAll(`${sel} canvas`)].map((canvas, index) => {
      const sx = canvas.width / (canvas.clientWidth || 1)
      const sy = canvas.height / (canvas.clientHeight || 1)
      const seen = new Set()
      const labels = (canvas.__labels ?? [])
        .filter((l) => l.color === axisColor && l.text.trim())
        .map((l) => ({ text: l.text, x0: l.bitmap[0] / sx, y0: l.bitmap[1] / sy, x1: l.bitmap[2] / sx, y1: l.bitmap[3] / sy }))
        .filter((l) => {
          const key = `${l.text}@${l.x0.toFixed(1)},${l.y0.toFixed(1)}`
          if (seen.has(key)) return false
          seen.add(key)
          return true
        })
      return { canvas: index, width: canvas.clientWidth, height: canvas.clientHeight, labels }
    }).filter((c) => c.labels.length)
  }, selector)
}

/** Libellés coupés par le bord du canvas ou qui se chevauchent (tolérance d'un demi-pixel). */
export function labelProblems(canvases, { tolerance = 0.5 } = {}) {
  const problems = []
  for (const { canvas, width, height, labels } of canvases) {
    for (const l of labels) {
      if (l.x0 < -tolerance || l.y0 < -tolerance || l.x1 > width + tolerance || l.y1 > height + tolerance) {
        problems.push(`canvas ${canvas} : « ${l.text} » coupé (${l.x0.toFixed(1)}, ${l.y0.toFixed(1)} → ${l.x1.toFixed(1)}, ${l.y1.toFixed(1)} dans ${width}×${height})`)
      }
    }
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i]
        const b = labels[j]
        const overlap = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > tolerance && Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) > tolerance
        if (overlap) problems.push(`canvas ${canvas} : « ${a.text} » chevauche « ${b.text} »`)
      }
    }
  }
  return problems
}
