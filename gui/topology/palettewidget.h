#pragma once
// The palette: every kind of paletteKinds(), grouped by category, with its icon. Items are
// dragged onto the canvas (mime type kKindMimeType); Enter or a double click asks for one at
// the canvas's center instead, for the keyboard.

#include "gui/design/templates.h"

#include <QTreeWidget>

class QMimeData;

namespace cd::gui {

inline constexpr const char *kKindMimeType = "application/x-clusterdeck-kind";

// The drag payload of a palette kind, and back (nullptr when the data is not one).
QMimeData *kindMimeData(const KindTemplate &kind);
const KindTemplate *kindFromMimeData(const QMimeData *data);
// "Deployment", "Simulated node": how the palette names a kind to people.
QString kindDisplayName(const KindTemplate &kind);

class PaletteWidget : public QTreeWidget {
    Q_OBJECT

public:
    explicit PaletteWidget(QWidget *parent = nullptr);

    // The item of a kind (tests, and the shell's search).
    QTreeWidgetItem *itemFor(const KindTemplate &kind) const;

Q_SIGNALS:
    void kindActivated(const cd::gui::KindTemplate &kind);

protected:
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QList<QTreeWidgetItem *> &items) const override;
    void changeEvent(QEvent *event) override;

private:
    void populate();
};

} // namespace cd::gui
