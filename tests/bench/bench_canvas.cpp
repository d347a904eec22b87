// The canvas with a 5,000-object design (issue 4): opening it (text to objects to scene items),
// and the time to paint one frame of the view while panning and zooming (goal: under 16 ms).
// Runs offscreen; prints one JSON line.
//   bench_canvas [--objects N] [--frames F]
#include "gui/design/designdocument.h"
#include "gui/topology/topologyscene.h"
#include "gui/topology/topologyview.h"

#include "designfixture.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QTextStream>

#include <algorithm>
#include <vector>

using namespace cd::gui;

namespace {

int option(const QStringList &args, const QString &name, int fallback)
{
    const int i = int(args.indexOf(name));
    return i >= 0 && i + 1 < args.size() ? args[i + 1].toInt() : fallback;
}

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, size_t(p * double(values.size())))];
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int objects = option(args, QStringLiteral("--objects"), 5000);
    const int frames = std::max(10, option(args, QStringLiteral("--frames"), 120));
    const QMap<QString, QString> texts = largeDesign(objects, 1);

    DesignDocument document;
    TopologyScene scene(&document);
    TopologyView view(&scene);
    view.resize(1440, 900);
    view.show();
    QElapsedTimer timer;
    timer.start();
    document.load(texts);
    QCoreApplication::processEvents();
    const double openMs = timer.nsecsElapsed() / 1e6;
    const int items = int(scene.items().size());

    // Frames at three zoom levels: everything in view, a middle zoom, and 1:1.
    auto paintFrames = [&](double zoom) {
        view.setTransform(QTransform::fromScale(zoom, zoom));
        view.centerOn(scene.itemsBoundingRect().center());
        std::vector<double> ms;
        for (int f = 0; f < frames; ++f) {
            // Pan a little each frame, zooming in and out by a few percent.
            view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->value() + (f % 20 < 10 ? 25 : -25));
            const double z = zoom * (1.0 + 0.03 * ((f % 8) - 4) / 4.0);
            view.setTransform(QTransform::fromScale(z, z));
            QElapsedTimer frame;
            frame.start();
            view.viewport()->repaint();
            ms.push_back(frame.nsecsElapsed() / 1e6);
        }
        return ms;
    };
    view.fitAll();
    const double fitZoom = view.zoom();
    const std::vector<double> all = paintFrames(fitZoom);
    const std::vector<double> middle = paintFrames(0.4);
    const std::vector<double> actual = paintFrames(1.0);
    std::vector<double> every(all);
    every.insert(every.end(), middle.begin(), middle.end());
    every.insert(every.end(), actual.begin(), actual.end());

    QTextStream(stdout) << QStringLiteral("{\"objects\": %1, \"scene_items\": %2, \"open_ms\": %3, \"fit_zoom\": %4, "
                                         "\"frame_ms_p50\": %5, \"frame_ms_p95\": %6, \"frame_ms_max\": %7, "
                                         "\"frame_ms_p95_fit\": %8, \"frame_ms_p95_40pct\": %9, \"frame_ms_p95_100pct\": %10}\n")
                               .arg(document.objects().size())
                               .arg(items)
                               .arg(openMs, 0, 'f', 1)
                               .arg(fitZoom, 0, 'f', 3)
                               .arg(percentile(every, 0.5), 0, 'f', 2)
                               .arg(percentile(every, 0.95), 0, 'f', 2)
                               .arg(*std::max_element(every.begin(), every.end()), 0, 'f', 2)
                               .arg(percentile(all, 0.95), 0, 'f', 2)
                               .arg(percentile(middle, 0.95), 0, 'f', 2)
                               .arg(percentile(actual, 0.95), 0, 'f', 2);
    return document.objects().size() == size_t(objects) ? 0 : 1;
}
