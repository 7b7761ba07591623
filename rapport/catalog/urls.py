from rapport.catalog import views

app_name = "catalog"
urlpatterns = [*views.urlpatterns]
