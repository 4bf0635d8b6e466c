//! One bar chart as SVG text, drawn by plotters: one bar per backend.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

/// A bar chart of `bars` (label, value), titled `title`, the value axis
/// named `unit`. Each bar has its own colour from plotters' palette.
///
/// # Errors
/// plotters' drawing error, as text.
pub(crate) fn bars(title: &str, unit: &str, bars: &[(String, f64)]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let top = bars.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
        let top = if top > 0.0 { top * 1.15 } else { 1.0 };
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(14)
            .x_label_area_size(36)
            .y_label_area_size(72)
            // plotters' integer ranges include their end: one segment per bar.
            .build_cartesian_2d((0..bars.len().saturating_sub(1)).into_segmented(), 0.0..top)
            .map_err(|e| e.to_string())?;
        let label = |x: &SegmentValue<usize>| match x {
            SegmentValue::CenterOf(i) => bars.get(*i).map_or(String::new(), |(l, _)| l.clone()),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_max_light_lines(1)
            .x_labels(bars.len().max(1))
            .x_label_formatter(&label)
            .y_desc(unit)
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, value))| {
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), *value),
                    ],
                    Palette99::pick(i).filled(),
                );
                bar.set_margin(0, 0, 10, 10);
                bar
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
