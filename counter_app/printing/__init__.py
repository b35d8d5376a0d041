"""Printed documents: input records in `data`, one reportlab module per form, `render.render_document` to print.

Nothing heavy is imported here, so `counter_app.printing.data` can be used without loading reportlab.
"""
