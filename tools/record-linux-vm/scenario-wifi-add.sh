# Guest scenario (sourced by record.sh's init, which gives `rec` and `recin`): what the agent runs
# for a Controller's Add and Delete of Device.WiFi.SSID + AccessPoint on a Linux gateway: a BSS
# added to a running hostapd through its global control interface (`hostapd -g`), from a BSS
# configuration file the agent writes, a station associating to it, its key changed through
# hostapd_cli's standard input, the BSS removed, added again, and added again after hostapd
# restarted. wlan0 (phy0) runs in a hostapd started with -g, wlan1 (phy1) in one without; phy2
# is a station in a network namespace. Every read the agent makes is recorded after each change.
modprobe mac80211_hwsim radios=3
ip link set lo up
rec iw-reg-set iw reg set DE
sleep 1
. /wifi-aps.sh
rec hostapd-start-wlan0 hostapd -B -g /run/hostapd-global -P /run/hostapd-wlan0.pid /tmp/ap-wlan0.conf
rec hostapd-start-wlan1 hostapd -B -P /run/hostapd-wlan1.pid /tmp/ap-wlan1.conf
sleep 5
H="hostapd_cli -p /run/hostapd"
# The global control interface, as the agent names it: hostapd_cli's -p is its directory, -i its name.
G="hostapd_cli -p /run -i hostapd-global"

# reads SUFFIX: every read of the agent's Get of Device.WiFi., for the BSSes hostapd lists now.
reads() {
  rec iw-dev-$1 iw dev
  rec hapd-interfaces-$1 $H interface
  for i in $(ls /run/hostapd); do
    rec hapd-$i-status-$1 $H -i "$i" status
    rec hapd-$i-get-config-$1 $H -i "$i" get_config
    rec hapd-$i-all-sta-$1 $H -i "$i" all_sta
    rec iw-$i-info-$1 iw dev "$i" info
    rec iw-$i-station-dump-$1 iw dev "$i" station dump
  done
}

rec iw-reg-get iw reg get
rec iw-phy iw phy
rec iw-phy0-channels iw phy phy0 channels
rec iw-phy1-channels iw phy phy1 channels
reads start

# Which hostapd has a global control interface, and which BSSes it runs.
rec hapd-global-ping $G raw PING
rec hapd-global-interfaces $G raw INTERFACES
rec hapd-global-missing hostapd_cli -p /run -i no-such-global raw INTERFACES

# The station, in its own namespace, for the BSS about to be added (it scans until then).
ip netns add sta
iw phy phy2 set netns name sta
ip netns exec sta ip link set lo up
cat > /tmp/sta-one.conf <<'CONF'
network={
  ssid="usp-guest"
  psk="guest pass one"
}
CONF
cat > /tmp/sta-two.conf <<'CONF'
network={
  ssid="usp-guest"
  psk="guest pass two"
}
CONF

# Add: the BSS configuration file the agent writes (directory 0700, file 0600), then ADD.
mkdir -p -m 700 /var/lib/usp-agent/wifi-bss
umask 077
cat > /var/lib/usp-agent/wifi-bss/wlan0_1.conf <<'CONF'
# Written by usp-agent for a Controller's Device.WiFi.SSID and AccessPoint; rewritten on each change.
interface=wlan0_1
driver=nl80211
ctrl_interface=/run/hostapd
hw_mode=g
channel=6
ssid=usp-guest
ignore_broadcast_ssid=0
wpa=2
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
wpa_passphrase=guest pass one
CONF
umask 022
rec ls-bss-dir ls -la /var/lib/usp-agent/wifi-bss
rec hapd-global-add $G raw ADD bss_config=phy0:/var/lib/usp-agent/wifi-bss/wlan0_1.conf
sleep 4
rec hapd-global-interfaces-added $G raw INTERFACES
ip netns exec sta wpa_supplicant -B -i wlan2 -c /tmp/sta-one.conf -P /run/wpa-sta.pid
sleep 15
ip addr add 192.168.72.1/24 dev wlan0_1
ip netns exec sta ip addr add 192.168.72.2/24 dev wlan2
rec ping-sta ip netns exec sta ping -c 5 -i 0.2 192.168.72.1
reads added
# Answers to what the agent refuses or cannot do: the same BSS again, a file that is not there.
rec hapd-global-add-again $G raw ADD bss_config=phy0:/var/lib/usp-agent/wifi-bss/wlan0_1.conf
rec hapd-global-add-missing-file $G raw ADD bss_config=phy0:/var/lib/usp-agent/wifi-bss/none.conf

# A key through hostapd_cli's standard input (interactive mode): `raw` sends the rest of the line
# as one control command, so the spaces of a passphrase stay; then reload, and the station comes
# back with the new key.
recin hapd-wlan0_1-stdin-passphrase 'raw SET wpa_passphrase guest pass two
' $H -i wlan0_1
rec hapd-wlan0_1-reload-passphrase $H -i wlan0_1 reload
kill "$(cat /run/wpa-sta.pid)"
sleep 1
ip netns exec sta wpa_supplicant -B -i wlan2 -c /tmp/sta-two.conf -P /run/wpa-sta.pid
sleep 15
rec ping-sta-new-key ip netns exec sta ping -c 5 -i 0.2 192.168.72.1
reads new-key
# The same on a BSS of hostapd's own file, and an SAE password on the WPA3 one.
recin hapd-wlan0-stdin-passphrase 'raw SET wpa_passphrase new passphrase 1
' $H -i wlan0
rec hapd-wlan0-reload-passphrase $H -i wlan0 reload
recin hapd-wlan1-stdin-sae-password 'raw SET sae_password sae passphrase 1
' $H -i wlan1
rec hapd-wlan1-reload-sae-password $H -i wlan1 reload
sleep 3
# Why HOME is unset: with it, interactive mode keeps every line it read in ~/.hostapd_cli_history.
rec hapd-stdin-history sh -c 'mkdir -p /tmp/hh && printf "raw SET wpa_passphrase history shows this\n" | HOME=/tmp/hh hostapd_cli -p /run/hostapd -i wlan0 > /dev/null; cat /tmp/hh/.hostapd_cli_history'
rec hapd-wlan0-reload-history $H -i wlan0 reload

# SSID of the added BSS: as for any BSS, set ssid + reload.
rec hapd-wlan0_1-set-ssid $H -i wlan0_1 set ssid usp-guest-2
rec hapd-wlan0_1-reload-ssid $H -i wlan0_1 reload
sleep 3
reads renamed

# Delete: REMOVE, the file goes.
rec hapd-global-remove $G raw REMOVE wlan0_1
sleep 2
rec hapd-global-interfaces-removed $G raw INTERFACES
reads removed
rec hapd-global-remove-again $G raw REMOVE wlan0_1

# Added again (SSID usp-guest, key two: what the agent holds), then hostapd restarts and runs its
# own file only: the agent adds the BSS again.
sed -i 's/^ssid=.*/ssid=usp-guest/; s/^wpa_passphrase=.*/wpa_passphrase=guest pass two/' /var/lib/usp-agent/wifi-bss/wlan0_1.conf
rec hapd-global-add-2 $G raw ADD bss_config=phy0:/var/lib/usp-agent/wifi-bss/wlan0_1.conf
sleep 15
reads readded
kill "$(cat /run/hostapd-wlan0.pid)"
sleep 2
rec hostapd-restart-wlan0 hostapd -B -g /run/hostapd-global -P /run/hostapd-wlan0.pid /tmp/ap-wlan0.conf
sleep 5
reads restarted
rec hapd-global-add-3 $G raw ADD bss_config=phy0:/var/lib/usp-agent/wifi-bss/wlan0_1.conf
sleep 15
reads restart-readded

# hostapd_cli on a hostapd started without -g: no global socket at all.
kill "$(cat /run/hostapd-wlan0.pid)"
sleep 2
rec hostapd-start-wlan0-no-global hostapd -B -P /run/hostapd-wlan0.pid /tmp/ap-wlan0.conf
sleep 5
rec hapd-global-gone $G raw INTERFACES
rec hapd-global-add-no-global $G raw ADD bss_config=phy0:/var/lib/usp-agent/wifi-bss/wlan0_1.conf
