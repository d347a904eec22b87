#pragma once
// Settings: theme (applied at once) and language (from the next start).

#include <QDialog>

class QComboBox;

namespace cd::gui {

class SettingsDialog : public QDialog {
    Q_OBJECT

public:
    explicit SettingsDialog(QWidget *parent = nullptr);

private:
    QComboBox *m_theme;
    QComboBox *m_language;
};

} // namespace cd::gui
