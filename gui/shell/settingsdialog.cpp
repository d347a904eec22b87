#include "gui/shell/settingsdialog.h"

#include "gui/shell/theme.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSettings>

namespace cd::gui {

SettingsDialog::SettingsDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Settings"));
    auto *form = new QFormLayout(this);
    QSettings settings;

    m_theme = new QComboBox(this);
    m_theme->addItem(tr("Follow the system"), QStringLiteral("system"));
    m_theme->addItem(tr("Light"), QStringLiteral("light"));
    m_theme->addItem(tr("Dark"), QStringLiteral("dark"));
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(settings.value(QStringLiteral("theme"), QStringLiteral("system")))));
    form->addRow(tr("Theme"), m_theme);

    m_language = new QComboBox(this);
    m_language->addItem(tr("Follow the system"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("한국어"), QStringLiteral("ko"));
    m_language->setCurrentIndex(std::max(0, m_language->findData(settings.value(QStringLiteral("language"), QString()))));
    form->addRow(tr("Language"), m_language);
    auto *note = new QLabel(tr("A new language applies from the next start."), this);
    note->setEnabled(false);
    form->addRow(QString(), note);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        QSettings s;
        s.setValue(QStringLiteral("theme"), m_theme->currentData());
        s.setValue(QStringLiteral("language"), m_language->currentData());
        applyTheme(themeFromName(m_theme->currentData().toString()));
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

} // namespace cd::gui
