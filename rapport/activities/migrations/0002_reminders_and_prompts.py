"""Reminders and outcome prompts: the delivery table (the once-only claim), the scheduler's two
due moments on each activity, and the Today page's partial indexes. Existing planned activities get
their due moments computed here, in batches (only those still in the scheduler's reach)."""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

BATCH = 2000


def plan_existing(apps, schema_editor):
    from rapport.activities import scheduling

    Activity = apps.get_model("activities", "Activity")
    now = timezone.now()
    reach = Q(series_end__gte=now - scheduling.PROMPT_LOOKBACK) | Q(
        reminder_minutes__isnull=False, series_end__gte=now - scheduling.REMINDER_LATE
    )
    rows = Activity.objects.filter(reach, status="planned", start__isnull=False).order_by("pk")
    batch = []
    for activity in rows.iterator(chunk_size=BATCH):
        scheduling.plan(activity, now)
        batch.append(activity)
        if len(batch) >= BATCH:
            Activity.objects.bulk_update(batch, ["remind_at", "prompt_at"])
            batch = []
    if batch:
        Activity.objects.bulk_update(batch, ["remind_at", "prompt_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ActivityDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('occurrence_start', models.DateTimeField(verbose_name='occurrence')),
                ('kind', models.CharField(choices=[('reminder', 'reminder'), ('outcome_prompt', 'outcome prompt')], max_length=20, verbose_name='kind')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('email_status', models.CharField(choices=[('none', 'no e-mail'), ('pending', 'to send'), ('sent', 'sent'), ('failed', 'failed')], default='none', max_length=10, verbose_name='e-mail')),
                ('email_attempts', models.PositiveSmallIntegerField(default=0, verbose_name='e-mail attempts')),
                ('email_claimed_until', models.DateTimeField(blank=True, null=True)),
                ('email_sent_at', models.DateTimeField(blank=True, null=True, verbose_name='e-mail sent')),
                ('email_error', models.CharField(blank=True, max_length=500, verbose_name='last e-mail error')),
            ],
            options={
                'verbose_name': 'reminder or prompt sent',
                'verbose_name_plural': 'reminders and prompts sent',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='activity',
            name='prompt_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='activity',
            name='remind_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(condition=models.Q(('remind_at__isnull', False)), fields=['remind_at'], name='activities_remind_at_idx'),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(condition=models.Q(('prompt_at__isnull', False)), fields=['prompt_at'], name='activities_prompt_at_idx'),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(condition=models.Q(('status', 'planned')), fields=['owner', 'series_end'], name='activities_planned_end_idx'),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(condition=models.Q(('start__isnull', True), ('status', 'planned')), fields=['owner', 'due_date'], name='activities_planned_due_idx'),
        ),
        migrations.AddField(
            model_name='activitydelivery',
            name='activity',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='activities.activity'),
        ),
        migrations.AddField(
            model_name='activitydelivery',
            name='recipient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='activitydelivery',
            index=models.Index(condition=models.Q(('email_status', 'pending')), fields=['email_claimed_until'], name='activities_email_pending_idx'),
        ),
        migrations.AddConstraint(
            model_name='activitydelivery',
            constraint=models.UniqueConstraint(fields=('activity', 'occurrence_start', 'kind'), name='activities_activitydelivery_once'),
        ),
        migrations.RunPython(plan_existing, migrations.RunPython.noop),
    ]
