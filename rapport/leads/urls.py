from rapport.leads.views import config, imports, pages, webforms

app_name = "leads"
urlpatterns = [*pages.urlpatterns, *imports.urlpatterns, *config.urlpatterns, *webforms.urlpatterns]
