#include "gui/shell/problemspanel.h"

#include "gui/shell/designdiagnostics.h"

#include <QHeaderView>

namespace cd::gui {

namespace {

enum Column { Severity, Message, Place, Field };
constexpr int kFileRole = Qt::UserRole + 1;
constexpr int kLineRole = Qt::UserRole + 2;
constexpr int kColumnRole = Qt::UserRole + 3;

} // namespace

ProblemsPanel::ProblemsPanel(DesignDiagnostics *diagnostics, QWidget *parent) : QTreeWidget(parent), m_diagnostics(diagnostics)
{
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setHeaderLabels({tr("Severity"), tr("Message"), tr("Place"), tr("Field")});
    header()->setSectionResizeMode(Message, QHeaderView::Stretch);
    header()->setStretchLastSection(false);
    connect(m_diagnostics, &DesignDiagnostics::changed, this, &ProblemsPanel::rebuild);
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        Q_EMIT activated(item->data(0, kFileRole).toString(), item->data(0, kLineRole).toInt(),
                         item->data(0, kColumnRole).toInt());
    });
    rebuild();
}

int ProblemsPanel::errorCount() const
{
    return m_diagnostics->count(Diagnostic::Severity::Error);
}

void ProblemsPanel::rebuild()
{
    clear();
    QList<QTreeWidgetItem *> items;
    for (const QString &file : m_diagnostics->files())
        for (const Diagnostic &d : m_diagnostics->diagnostics(file)) {
            auto *item = new QTreeWidgetItem;
            QString severity;
            QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
            switch (d.severity) {
            case Diagnostic::Severity::Error:
                severity = tr("Error");
                icon = QStyle::SP_MessageBoxCritical;
                break;
            case Diagnostic::Severity::Warning:
                severity = tr("Warning");
                icon = QStyle::SP_MessageBoxWarning;
                break;
            case Diagnostic::Severity::Info: severity = tr("Info"); break;
            }
            item->setIcon(Severity, style()->standardIcon(icon));
            item->setText(Severity, severity);  // never color or icon alone
            item->setText(Message, d.message);
            item->setToolTip(Message, d.message);
            item->setText(Place, tr("%1:%2:%3").arg(file).arg(d.line).arg(d.column));
            item->setText(Field, d.fieldPath);
            item->setData(0, kFileRole, file);
            item->setData(0, kLineRole, d.line);
            item->setData(0, kColumnRole, d.column);
            items << item;
        }
    addTopLevelItems(items);
    for (int c : {Severity, Place, Field})
        resizeColumnToContents(c);
    Q_EMIT countChanged();
}

} // namespace cd::gui
