package io.kintsugi.benchmarks.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Draws the Kintsugi ÷ peer ratios as a bar chart (PNG) with XChart: one bar per workload, thread count and peer,
 * coloured by peer and labelled with its value, its target as a marker, plus the integrity cost's on ÷ off ratio,
 * on a logarithmic axis so that 0.5× and 2× sit the same distance from parity, which is drawn as a line at 1.
 * Errors are in the README's table: XChart draws error bars wrongly on a logarithmic axis.
 */
public final class RatioChart {

    private static final int WIDTH = 1400;
    private static final int HEIGHT = 800;
    private static final String ON_OFF = "verification on ÷ off";

    private RatioChart() {
    }

    /** The values of one bar series, with nulls where a category is another series'. */
    private static final class Bars {
        final List<Double> values = new ArrayList<>();

        void add(Double value) {
            values.add(value);
        }

        boolean isEmpty() {
            return values.stream().allMatch(v -> v == null);
        }
    }

    /**
     * Builds the chart.
     *
     * @param ratios    the Kintsugi ÷ peer ratios
     * @param integrity the integrity cost, if measured
     * @param title     the chart's title
     * @return the chart
     * @throws IllegalArgumentException if there is nothing to draw
     */
    public static CategoryChart build(List<RatioRow> ratios, Optional<IntegrityCost> integrity, String title) {
        List<String> categories = new ArrayList<>();
        Bars rocks = new Bars();
        Bars lmdb = new Bars();
        Bars onOff = new Bars();
        List<Double> targets = new ArrayList<>();
        for (RatioRow r : ratios) {
            categories.add(r.workload().shortName() + " " + r.kintsugi().threads() + "t ÷ "
                    + Workload.displayName(r.peer()));
            boolean isRocks = r.peer().equals("rocksdb");
            rocks.add(isRocks ? r.ratio() : null);
            lmdb.add(isRocks ? null : r.ratio());
            onOff.add(null);
            targets.add(r.target());
        }
        integrity.ifPresent(c -> {
            categories.add(ON_OFF);
            rocks.add(null);
            lmdb.add(null);
            onOff.add(c.onOffRatio());
            targets.add(IntegrityCost.TARGET_ON_OFF);
        });
        if (categories.isEmpty()) {
            throw new IllegalArgumentException("no ratio to draw");
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("workload, threads, peer").yAxisTitle("Kintsugi ÷ peer (throughput, log scale)").build();
        CategoryStyler styler = chart.getStyler();
        styler.setOverlapped(true);
        styler.setYAxisLogarithmic(true);
        // Bars would start the axis at 0, which a log axis cannot show: bound it by the data instead.
        styler.setYAxisMin(bound(false, targets, rocks, lmdb, onOff));
        styler.setYAxisMax(bound(true, targets, rocks, lmdb, onOff));
        styler.setYAxisDecimalPattern("0.##");
        styler.setXAxisLabelRotation(60);
        styler.setLabelsVisible(true);
        styler.setLabelsRotation(0);
        styler.setLabelsPosition(1.0);
        styler.setLabelsFontColorAutomaticEnabled(false);
        styler.setLabelsFontColor(Color.BLACK);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotGridVerticalLinesVisible(false);
        addBars(chart, "Kintsugi ÷ RocksDB", categories, rocks, new Color(0x1F77B4));
        addBars(chart, "Kintsugi ÷ lmdbjava", categories, lmdb, new Color(0xFF7F0E));
        addBars(chart, ON_OFF, categories, onOff, new Color(0x2CA02C));
        if (targets.stream().anyMatch(t -> t != null)) {
            CategorySeries target = chart.addSeries("target", categories, targets);
            target.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
            target.setMarker(SeriesMarkers.DIAMOND);
            target.setMarkerColor(Color.RED);
        }
        CategorySeries parity = chart.addSeries("parity (1.0)", categories,
                new ArrayList<>(Collections.nCopies(categories.size(), 1.0)));
        parity.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        parity.setMarker(SeriesMarkers.NONE);
        parity.setLineColor(Color.GRAY);
        parity.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f));
        return chart;
    }

    /**
     * Draws the chart into a PNG file.
     *
     * @param chart the chart
     * @param file  the file to write, ending in {@code .png}
     * @throws IOException if the file cannot be written
     */
    public static void writePng(CategoryChart chart, Path file) throws IOException {
        if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", file.toFile())) {
            throw new IOException("this JVM has no PNG writer");
        }
    }

    private static void addBars(CategoryChart chart, String name, List<String> categories, Bars bars, Color color) {
        if (!bars.isEmpty()) {
            chart.addSeries(name, categories, bars.values).setFillColor(color);
        }
    }

    /** @return a margin beyond the lowest (or highest) bar, target and parity */
    private static double bound(boolean upper, List<Double> targets, Bars... series) {
        double extreme = 1.0;
        for (Double t : targets) {
            if (t != null) {
                extreme = upper ? Math.max(extreme, t) : Math.min(extreme, t);
            }
        }
        for (Bars bars : series) {
            for (Double v : bars.values) {
                if (v != null) {
                    extreme = upper ? Math.max(extreme, v) : Math.min(extreme, v);
                }
            }
        }
        return upper ? extreme * 1.3 : extreme / 1.3;
    }
}
