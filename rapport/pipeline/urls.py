from rapport.pipeline.views import board, pages, parts, settings

app_name = "pipeline"
urlpatterns = [*board.urlpatterns, *pages.urlpatterns, *parts.urlpatterns, *settings.urlpatterns]
