#pragma once
// The strip left of the YAML text: line numbers and fold markers (click to fold or unfold).

#include <QWidget>

namespace cd::gui {

class YamlTextEdit;

class EditorGutter : public QWidget {
    Q_OBJECT

public:
    explicit EditorGutter(YamlTextEdit *editor);

    int preferredWidth() const;
    QSize sizeHint() const override { return {preferredWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    int foldMarkerWidth() const;

    YamlTextEdit *m_editor;
};

} // namespace cd::gui
