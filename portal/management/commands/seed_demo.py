from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from portal import demo
from portal.models import Building, Community, Compound, Department, District, Grid, Street, User
from portal.roles import staff_assign, sync_role_groups


class Command(BaseCommand):
    help = "Build the demo district (streets, communities, grids, staff). Safe to run again."

    extenders = []  # other apps append callables(stdout) that add their demo data

    def handle(self, *args, **options):
        self.now = timezone.now()
        with transaction.atomic():
            sync_role_groups()
            district, staff = self.build_hierarchy()
        for extend in self.extenders:
            extend(self.stdout)
        self.print_logins(district, staff)

    def build_hierarchy(self):
        code, name = demo.DISTRICT
        district, _ = District.objects.update_or_create(code=code, defaults={"name": name})
        departments = [
            Department.objects.update_or_create(
                district=district, code=dcode, defaults={"name": dname}
            )[0]
            for dcode, dname in demo.DEPARTMENTS
        ]
        self.password = make_password(demo.PASSWORD)  # hashed once, shared by every demo login
        staff = {"district": self.account("district", User.Role.DISTRICT_OFFICIAL, district, 0)}
        for i, dept in enumerate(departments):
            self.account(f"dept-{dept.code}", User.Role.DEPARTMENT, district, 100 + i, dept)
        for s_code, s_name, communities in demo.STREETS:
            street, _ = Street.objects.update_or_create(
                district=district, code=s_code, defaults={"name": s_name}
            )
            staff.setdefault("streets", []).append(
                self.account(f"s{s_code}", User.Role.STREET_STAFF, street, int(s_code))
            )
            for c_index, c_name in enumerate(communities, start=1):
                self.build_community(street, f"{s_code}{c_index:02d}", c_name, staff)
        return district, staff

    def build_community(self, street, code, name, staff):
        is_village = name.endswith("村")
        community, _ = Community.objects.update_or_create(
            street=street,
            code=code,
            defaults={
                "name": name if is_village else f"{name}社区",
                "kind": Community.Kind.VILLAGE if is_village else Community.Kind.COMMUNITY,
                "lat": demo.centre(code)[0],
                "long": demo.centre(code)[1],
                "district_id": street.district_id,
                **self.bounded(demo.community_boundary(code)),
            },
        )
        staff.setdefault("communities", []).append(
            self.account(f"c{code}", User.Role.COMMUNITY_STAFF, community, int(code))
        )
        grids = []
        kinds = [Grid.Kind.INNER] * demo.INNER_GRIDS_PER_COMMUNITY + [
            Grid.Kind.OUTER
        ] * demo.OUTER_GRIDS_PER_COMMUNITY
        for g_index, kind in enumerate(kinds, start=1):
            label = "内网" if kind == Grid.Kind.INNER else "外网"
            grid, _ = Grid.objects.update_or_create(
                community=community,
                code=f"{code}{g_index:02d}",
                defaults={
                    "name": f"{community.name}第{g_index}网格（{label}）",
                    "kind": kind,
                    "street_id": street.id,
                    "district_id": street.district_id,
                    **self.bounded(demo.grid_boundary(code, g_index, kind)),
                },
            )
            grids.append(grid)
            worker = self.account(f"g{grid.code}", User.Role.GRID_WORKER, grid, int(grid.code))
            staff.setdefault("grids", []).append(worker)
        for k, compound_name in enumerate(demo.COMPOUNDS):
            compound, _ = Compound.objects.update_or_create(
                community=community,
                name=compound_name,
                defaults={
                    "grid": grids[k % demo.INNER_GRIDS_PER_COMMUNITY],
                    "address": f"{street.name}{name}路{k * 12 + 8}号",
                    "street_id": street.id,
                    "district_id": street.district_id,
                },
            )
            for b in range(1, demo.BUILDINGS_PER_COMPOUND + 1):
                building = Building(compound=compound, name=f"{b}栋")
                building.copy_ancestors()
                Building.objects.update_or_create(
                    compound=compound,
                    name=building.name,
                    defaults={
                        "grid_id": building.grid_id,
                        "community_id": building.community_id,
                        "street_id": building.street_id,
                        "district_id": building.district_id,
                    },
                )

    def bounded(self, boundary):
        return {"boundary": boundary, "bbox": demo.bbox(boundary), "boundary_changed_at": self.now}

    def account(self, username, role, node, n, department=None):
        surname, given = demo.person(n)
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"last_name": surname, "first_name": given, "password": self.password},
        )
        if created or user.role != role or user.node != node:
            staff_assign(user=user, role=role, node=node, department=department)
        return user

    def print_logins(self, district, staff):
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo district {district.name} is ready."))
        out.write(f"Every demo login uses the password: {demo.PASSWORD}")
        if not settings.DEBUG:
            out.write(
                self.style.WARNING(
                    "DEBUG is off: that password signs no one in. Set your own with "
                    "`manage.py changepassword <login>`."
                )
            )
        out.write("  district official : district")
        out.write("  departments       : " + ", ".join(f"dept-{c}" for c, _ in demo.DEPARTMENTS))
        out.write("  street staff      : s001 … s007")
        out.write("  community staff   : c00101 … (street code + community number)")
        out.write("  grid workers      : g0010101 … (community code + grid number)")
        out.write("Staff console: http://127.0.0.1:8000/admin/")
