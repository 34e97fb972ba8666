"""The web side of kg: ``kg serve`` and ``kg publish`` draw the same pages.

* :mod:`.app` — ``kg serve``: the ASGI application, its route table (:data:`.app.ROUTES`),
  and :func:`.app.serve`;
* :mod:`.workers` — the worker processes that keep the store open and answer requests;
* :mod:`.sparql` — the SPARQL 1.1 Protocol (limits, negotiation, results formats);
* :mod:`.site` — what every page reads: paths and IRIs, labels, types, class members;
* :mod:`.views` — one view per kind of page, drawn with the Jinja2 templates in
  ``templates/`` (autoescaped, :mod:`.render`);
* :mod:`.query_pages` — canned queries as pages and as CSV for Excel;
* :mod:`.search` — search by any spelling the graph keeps, by 法人番号 or 事業番号;
* :mod:`.charts` — the pages' pictures, SVG drawn with matplotlib;
* :mod:`.publish` — ``kg publish``: the static site, VoID/DCAT, the dump.
"""
